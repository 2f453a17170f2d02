import Link from 'next/link';

export default function NotFound() {
  return (
    <main className="centered">
      <div className="card narrow">
        <h1>Not found</h1>
        <p>There is nothing here, or nothing you may see.</p>
        <Link href="/">Back to the overview</Link>
      </div>
    </main>
  );
}
