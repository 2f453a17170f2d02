// Cross-site request forgery protection for cookie-authenticated writes: the browser must
// say the request comes from the console's own origin. SameSite=Lax cookies are the
// first wall; this is the second, and it also stops same-site subdomains.
export function sameOriginProblem(req: Request, configuredOrigin: string | undefined): string | null {
  const site = req.headers.get('sec-fetch-site');
  if (site && site !== 'same-origin' && site !== 'none') return `cross-site request refused (Sec-Fetch-Site: ${site})`;
  const origin = req.headers.get('origin');
  if (!origin) return 'the Origin header is missing';
  const expected = configuredOrigin ?? `${req.headers.get('x-verity-proto') ?? 'http'}://${req.headers.get('host')}`;
  if (origin !== new URL(expected).origin) return `origin ${origin} is not this console`;
  return null;
}
