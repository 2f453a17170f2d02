// The client's address as the console may believe it: the socket's peer, unless that peer
// is a configured reverse proxy, in which case the last address it appended to
// X-Forwarded-For. A client cannot pick its own address to dodge throttling.
export function clientAddress(socketAddress: string | undefined, forwardedFor: string | undefined, trustedProxies: readonly string[]): string | null {
  const peer = normalise(socketAddress);
  if (!peer) return null;
  if (!trustedProxies.includes(peer) || !forwardedFor) return peer;
  const hops = forwardedFor.split(',').map((h) => normalise(h.trim())).filter((h): h is string => Boolean(h));
  // Walk from the right past our own proxies; the first other hop is the client.
  for (let i = hops.length - 1; i >= 0; i--) if (!trustedProxies.includes(hops[i]!)) return hops[i]!;
  return peer;
}

function normalise(address: string | undefined): string | null {
  if (!address) return null;
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}
