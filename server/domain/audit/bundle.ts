// The verifiable audit bundle: NDJSON, one JSON value per line, checked offline with the
// console's public key alone. Layout:
//   {"type":"header", format, version, exportedAt, filters, publicKey, fromSeq, throughSeq, checkpoints:[…]}
//   then every seq from fromSeq to throughSeq in order, each either
//   {"type":"event","event":{…}}        an exported event, re-hashed by the verifier, or
//   {"type":"link","seq","prevHash","hash"} an event outside the export (only its hashes),
//   {"type":"end","events":n,"links":m}  so a cut file is noticed.
// The segment ends at a signed checkpoint, so every hash in it is pinned by that signature.
import { z } from 'zod';
import { checkpointSignatureValid, type SignedCheckpoint } from './checkpoint';
import { hashEvent } from './hash-event';

export const BUNDLE_FORMAT = 'verity-audit-bundle';

const Checkpoint = z.object({
  kind: z.enum(['head', 'anchor']),
  seq: z.number().int().nonnegative(),
  hash: z.string(),
  signedAt: z.string(),
  publicKey: z.string(),
  signature: z.string(),
});

export const BundleHeader = z.object({
  type: z.literal('header'),
  format: z.literal(BUNDLE_FORMAT),
  version: z.literal(1),
  exportedAt: z.string(),
  filters: z.record(z.string(), z.unknown()),
  publicKey: z.string(),
  fromSeq: z.number().int().nonnegative(),
  throughSeq: z.number().int().nonnegative(),
  checkpoints: z.array(Checkpoint),
});
export type BundleHeader = z.infer<typeof BundleHeader>;

const BundleEvent = z.object({
  seq: z.number().int().positive(),
  id: z.string(),
  occurredAt: z.string(),
  source: z.string(),
  clusterId: z.string().nullable(),
  actorType: z.string(),
  actorId: z.string().nullable(),
  actorLabel: z.string().nullable(),
  tenantId: z.string().nullable(),
  action: z.string(),
  resourceType: z.string().nullable(),
  resourceId: z.string().nullable(),
  outcome: z.string(),
  clientAddress: z.string().nullable(),
  userAgent: z.string().nullable(),
  details: z.record(z.string(), z.unknown()),
  prevHash: z.string(),
  hash: z.string(),
});

const BundleLine = z.discriminatedUnion('type', [
  z.object({ type: z.literal('event'), event: BundleEvent }),
  z.object({ type: z.literal('link'), seq: z.number().int().positive(), prevHash: z.string(), hash: z.string() }),
  z.object({ type: z.literal('end'), events: z.number().int().nonnegative(), links: z.number().int().nonnegative() }),
]);

export interface BundleProblem {
  line: number;
  seq: number | null;
  eventId: string | null;
  message: string;
}

export type BundleReport =
  | { ok: true; events: number; links: number; fromSeq: number; throughSeq: number; checkpoint: { seq: number; signedAt: string } ; keySource: 'trusted' | 'bundle' }
  | { ok: false; events: number; links: number; problem: BundleProblem };

/** Feeds bundle lines one at a time (a million events never sit in memory). */
export function createBundleVerifier(trustedKeyPem: string | null) {
  let lineNo = 0;
  let header: BundleHeader | null = null;
  let problem: BundleProblem | null = null;
  let expectedSeq = 0;
  let prevHash: string | null = null;
  let events = 0;
  let links = 0;
  let ended = false;
  let keySource: 'trusted' | 'bundle' = 'trusted';
  const pinned = new Map<number, string>();
  let cover: SignedCheckpoint | null = null;

  const fail = (seq: number | null, eventId: string | null, message: string) => {
    problem ??= { line: lineNo, seq, eventId, message };
    return problem;
  };

  return {
    push(text: string): BundleProblem | null {
      if (problem) return problem;
      lineNo += 1;
      if (text.trim() === '') return null;
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        return fail(null, null, `line ${lineNo} is not JSON`);
      }
      if (!header) {
        const h = BundleHeader.safeParse(json);
        if (!h.success) return fail(null, null, 'the bundle does not start with a valid header');
        header = h.data;
        const key = trustedKeyPem ?? header.publicKey;
        keySource = trustedKeyPem ? 'trusted' : 'bundle';
        for (const c of header.checkpoints) {
          const signed: SignedCheckpoint = { ...c, signedAt: new Date(c.signedAt) };
          if (!checkpointSignatureValid(signed, key)) return fail(c.seq, null, `the checkpoint of event ${c.seq} is not signed by the console's key`);
          pinned.set(c.seq, c.hash);
          if (c.seq === header.throughSeq) cover = signed;
        }
        if (!cover) return fail(header.throughSeq, null, `no signed checkpoint covers the end of the segment (event ${header.throughSeq})`);
        expectedSeq = header.fromSeq;
        return null;
      }
      if (ended) return fail(null, null, 'content after the end line');
      const parsed = BundleLine.safeParse(json);
      if (!parsed.success) return fail(null, null, `line ${lineNo} is not a bundle line`);
      const l = parsed.data;
      if (l.type === 'end') {
        ended = true;
        if (l.events !== events || l.links !== links) return fail(null, null, `the end line counts ${l.events} events and ${l.links} links but the bundle holds ${events} and ${links}`);
        return null;
      }
      const seq = l.type === 'event' ? l.event.seq : l.seq;
      const id = l.type === 'event' ? l.event.id : null;
      if (seq !== expectedSeq) return fail(expectedSeq, null, `event ${expectedSeq} is missing from the segment (found ${seq})`);
      const lineHash = l.type === 'event' ? l.event.hash : l.hash;
      const linePrev = l.type === 'event' ? l.event.prevHash : l.prevHash;
      if (prevHash !== null && linePrev !== prevHash) return fail(seq, id, `event ${seq} does not point at the hash of event ${seq - 1}`);
      if (l.type === 'event') {
        const e = l.event;
        const recomputed = hashEvent({ ...e, occurredAt: new Date(e.occurredAt) });
        if (recomputed !== e.hash) return fail(seq, id, `event ${seq} (${e.action}) was altered after it was written`);
        events += 1;
      } else links += 1;
      const signed = pinned.get(seq);
      if (signed !== undefined && signed !== lineHash) return fail(seq, id, `event ${seq} differs from the signed checkpoint of it`);
      prevHash = lineHash;
      expectedSeq += 1;
      return null;
    },
    finish(): BundleReport {
      if (!problem && !header) fail(null, null, 'the bundle is empty');
      if (!problem && !ended) fail(expectedSeq, null, 'the bundle is cut short (no end line)');
      if (!problem && header && expectedSeq - 1 !== header.throughSeq) fail(expectedSeq, null, `the segment ends at event ${expectedSeq - 1}, not at the checkpointed event ${header.throughSeq}`);
      if (problem) return { ok: false, events, links, problem };
      return { ok: true, events, links, fromSeq: header!.fromSeq, throughSeq: header!.throughSeq, checkpoint: { seq: cover!.seq, signedAt: cover!.signedAt.toISOString() }, keySource };
    },
  };
}
