// Walks audit events in sequence order and names the first link that does not hold:
// an edited row (its hash no longer matches), a removed or reordered row (a gap in seq or
// a prev_hash that does not match), or a cut tail (the chain head is ahead of the rows).
import { type ChainedContent, GENESIS_HASH, hashEvent } from './hash-event';

export interface StoredEvent extends ChainedContent {
  hash: string;
}

export type ChainBreak =
  | { seq: number; kind: 'hash-mismatch'; message: string }
  | { seq: number; kind: 'broken-link'; message: string }
  | { seq: number; kind: 'gap'; message: string }
  | { seq: number; kind: 'truncated'; message: string };

export interface ChainVerifier {
  /** Feeds the next event in seq order; returns the first break found, if this event is it. */
  push(event: StoredEvent): ChainBreak | null;
  /** Compares the end of the walk with the recorded chain head. */
  finish(head: { seq: number; hash: string }): ChainBreak | null;
  readonly checked: number;
}

export function createChainVerifier(): ChainVerifier {
  let expectedSeq = 1;
  let prevHash = GENESIS_HASH;
  let checked = 0;
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
      prevHash = event.hash;
      expectedSeq += 1;
      return null;
    },
    finish(head) {
      const last = expectedSeq - 1;
      if (head.seq !== last || (last > 0 && head.hash !== prevHash)) {
        return { seq: last + 1, kind: 'truncated', message: `the chain head records ${head.seq} events but ${last} are stored` };
      }
      return null;
    },
  };
}
