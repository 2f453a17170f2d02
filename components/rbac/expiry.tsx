'use client';
// A time-bound grant's expiry as people read it: the moment (UTC and local) and a live
// countdown, or that it has passed and Verity removes (or removed) the binding.
import { useEffect, useState } from 'react';

export function formatRemaining(ms: number): string {
  if (ms <= 0) return 'expired';
  const s = Math.floor(ms / 1000);
  const d = Math.floor(s / 86_400);
  const h = Math.floor((s % 86_400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  if (d > 0) return `${d} d ${h} h left`;
  if (h > 0) return `${h} h ${m} min left`;
  if (m > 0) return `${m} min ${sec} s left`;
  return `${sec} s left`;
}

export function useNow(intervalMs = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(t);
  }, [intervalMs]);
  return now;
}

export function ExpiryCountdown({ expiresAt, removed }: { expiresAt: string; removed?: boolean }) {
  const now = useNow();
  const at = new Date(expiresAt);
  const left = at.getTime() - now;
  return (
    <span className="expiry" data-testid="grant-expiry">
      <span aria-hidden="true">⏱ </span>
      expires <time dateTime={at.toISOString()} title={at.toString()}>{at.toISOString().replace('T', ' ').slice(0, 19)} UTC</time>
      {' · '}
      <strong data-testid="grant-countdown">{removed ? 'removed' : left > 0 ? formatRemaining(left) : 'expired: removal due'}</strong>
    </span>
  );
}
