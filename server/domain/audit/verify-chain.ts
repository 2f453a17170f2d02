// Walks audit events in sequence order and names the first link that does not hold:
// an edited row (its hash no longer matches), a removed or reordered row (a gap in seq or
// a prev_hash that does not match), or a cut tail (the chain head is ahead of the rows).
// After retention the walk starts from a signed anchor (the last removed event's hash)
// instead of the genesis hash; signed head checkpoints are checked as the walk passes them.
import { type ChainedContent, GENESIS_HASH, hashEvent } from './hash-event';

export interface StoredEvent extends ChainedContent {
  hash: string;
}

export type ChainBreak =
  | { seq: number; kind: 'hash-mismatch'; message: string }
  | { seq: number; kind: 'broken-link'; message: string }
  | { seq: number; kind: 'gap'; message: string }
  | { seq: number; kind: 'truncated'; message: string }
  | { seq: number; kind: 'checkpoint-mismatch'; message: string }
  | { seq: number; kind: 'bad-signature'; message: string };

export interface ChainVerifier {
  /** Feeds the next event in seq order; returns the first break found, if this event is it. */
  push(event: StoredEvent): ChainBreak | null;
  /** Compares the end of the walk with the recorded chain head and the signed checkpoints. */
  finish(head: { seq: number; hash: string }): ChainBreak | null;
  readonly checked: number;
}

export interface VerifierOptions {
  /** Where the stored chain starts: the last event retention removed (default: genesis). */
  start?: { seq: number; hash: string };
  /** Signed statements "event seq has hash" (already signature-checked by the caller). */
  checkpoints?: readonly { seq: number; hash: string }[];
}

export function createChainVerifier(opts: VerifierOptions = {}): ChainVerifier {
  let expectedSeq = (opts.start?.seq ?? 0) + 1;
  let prevHash = opts.start?.hash ?? GENESIS_HASH;
  let checked = 0;
  const pinned = new Map<number, string>();
  let highestPinned = 0;
  for (const c of opts.checkpoints ?? []) {
    pinned.set(c.seq, c.hash);
    highestPinned = Math.max(highestPinned, c.seq);
  }
  return {
    get checked() {
      return checked;
    },
    push(event) {
      checked += 1;
      if (event.seq !== expectedSeq) {
        return { seq: expectedSeq, kind: 'gap', message: `event ${expectedSeq} is missing (next stored event is ${event.seq})` };
      }
      if (event.prevHash !== prevHash) {
        return { seq: event.seq, kind: 'broken-link', message: `event ${event.seq} does not point at the hash of event ${event.seq - 1}` };
      }
      const recomputed = hashEvent(event);
      if (recomputed !== event.hash) {
        return { seq: event.seq, kind: 'hash-mismatch', message: `event ${event.seq} was altered after it was written` };
      }
      const signed = pinned.get(event.seq);
      if (signed !== undefined && signed !== event.hash) {
        return { seq: event.seq, kind: 'checkpoint-mismatch', message: `event ${event.seq} differs from the signed checkpoint of it (the chain was rewritten from here or earlier)` };
      }
      prevHash = event.hash;
      expectedSeq += 1;
      return null;
    },
    finish(head) {
      const last = expectedSeq - 1;
      if (highestPinned > last) {
        return { seq: last + 1, kind: 'truncated', message: `a signed checkpoint covers event ${highestPinned} but the stored chain ends at ${last}` };
      }
      if (head.seq !== last || (last > 0 && head.hash !== prevHash)) {
        return { seq: last + 1, kind: 'truncated', message: `the chain head records ${head.seq} events but ${last} are stored` };
      }
      return null;
    },
  };
}
