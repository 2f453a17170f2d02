import type { ReactNode } from 'react';

export default function AuthLayout({ children }: { children: ReactNode }) {
  return (
    <main className="centered">
      <div className="card narrow">
        <div className="brand big">Verity</div>
        {children}
      </div>
    </main>
  );
}
