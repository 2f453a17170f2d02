// Signed checkpoints of the audit chain: the console states "event <seq> has hash <hash>"
// with its Ed25519 checkpoint key. A head checkpoint catches a cut tail (rows and the head
// row removed together); an anchor checkpoint says where the stored chain starts after
// retention. Signing and checking are pure: keys are passed in.
import { createPublicKey, type KeyObject, sign, verify } from 'node:crypto';
import canonicalize from 'canonicalize';

export interface CheckpointStatement {
  kind: 'head' | 'anchor';
  seq: number;
  hash: string;
  signedAt: Date;
}

export interface SignedCheckpoint extends CheckpointStatement {
  /** SPKI PEM of the key that signed it. */
  publicKey: string;
  /** base64 Ed25519 signature over checkpointMessage(). */
  signature: string;
}

export function checkpointMessage(c: CheckpointStatement): Buffer {
  const text = canonicalize({ type: 'verity.audit.checkpoint', version: 1, kind: c.kind, seq: c.seq, hash: c.hash, signedAt: c.signedAt.toISOString() });
  return Buffer.from(text!, 'utf8');
}

export function signCheckpoint(c: CheckpointStatement, privateKey: KeyObject, publicKeyPem: string): SignedCheckpoint {
  return { ...c, publicKey: publicKeyPem, signature: sign(null, checkpointMessage(c), privateKey).toString('base64') };
}

/** True when the signature holds under `trustedKeyPem` (never the key the checkpoint names itself). */
export function checkpointSignatureValid(c: SignedCheckpoint, trustedKeyPem: string): boolean {
  try {
    return verify(null, checkpointMessage(c), createPublicKey(trustedKeyPem), Buffer.from(c.signature, 'base64'));
  } catch {
    return false;
  }
}
