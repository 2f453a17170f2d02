// A KubernetesObjectApi that keeps what the API server said: the raw JSON body (no typed
// model in between, which would turn timestamps into Dates and drop fields it does not
// know) and the Audit-Id response header, so an operation can be linked to the cluster's
// own audit events.
import { ApiException, KubernetesObjectApi, type KubeConfig, type ResponseContext } from '@kubernetes/client-node';
// Not re-exported by the package index; it is the serializer KubernetesObjectApi.patch uses.
import { ObjectSerializer } from '@kubernetes/client-node/dist/serializer.js';

/** Where the Audit-Id of the response that produced an object is kept (non-enumerable). */
const AUDIT_ID = Symbol('verity.auditId');

export type RawObject = Record<string, unknown> & {
  apiVersion?: string;
  kind?: string;
  metadata?: Record<string, unknown> & { name?: string; namespace?: string; resourceVersion?: string };
};

export class RawObjectApi extends KubernetesObjectApi {
  static fromKubeConfig(kc: KubeConfig): RawObjectApi {
    const client = kc.makeApiClient(RawObjectApi);
    client.setDefaultNamespace(kc);
    return client;
  }

  // Every response of this client passes here, including discovery (whose raw JSON has the
  // same field names the library reads). Error responses keep the library's ApiException,
  // which already carries the headers.
  protected override async processResponse<T>(response: ResponseContext): Promise<T> {
    const text = await response.body.text();
    if (response.httpStatusCode >= 200 && response.httpStatusCode <= 299) {
      const data: unknown = text === '' ? {} : JSON.parse(text);
      if (data && typeof data === 'object') {
        const auditId = response.headers['audit-id'];
        if (auditId) Object.defineProperty(data, AUDIT_ID, { value: auditId, enumerable: false });
      }
      return data as T;
    }
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON: keep the text
    }
    throw new ApiException(response.httpStatusCode, 'Unsuccessful HTTP Request', body, response.headers);
  }
}

export function auditIdOf(value: unknown): string | undefined {
  if (value && typeof value === 'object') return (value as { [AUDIT_ID]?: string })[AUDIT_ID];
  return undefined;
}

function serializationType(obj: RawObject): string {
  const apiVersion = obj.apiVersion ?? '';
  const version = (apiVersion.includes('/') ? apiVersion.split('/')[1] : apiVersion) ?? '';
  return `${version.charAt(0).toUpperCase()}${version.slice(1)}${obj.kind ?? ''}`;
}

/**
 * KubernetesObjectApi.patch writes its body through the library's typed model, which reads
 * TypeScript property names: a plain JSON NetworkPolicy loses `ingress[].from` (the model
 * calls it `_from`), silently widening the policy. So the object is first converted into the
 * model's own form, and the body the library will send is computed the same way and compared
 * with what was approved: anything the model would drop or alter (a typo, a field newer than
 * the client) is refused rather than applied differently from what the approvers saw.
 */
export function toWireObject(obj: RawObject): { typed: RawObject; lost: string[] } {
  const type = serializationType(obj);
  const typed = ObjectSerializer.deserialize(structuredClone(obj), type) as RawObject;
  const wire = JSON.parse(JSON.stringify(ObjectSerializer.serialize(typed, type))) as unknown;
  const original = JSON.parse(JSON.stringify(obj)) as unknown;
  const lost: string[] = [];
  collectMissing(original, wire, '', lost);
  collectMissing(wire, original, '', lost);
  return { typed, lost: [...new Set(lost)] };
}

/** The JSON paths of `obj` that would not reach the API server as written. */
export function fieldsDroppedBySerializer(obj: RawObject): string[] {
  return toWireObject(obj).lost;
}

function collectMissing(a: unknown, b: unknown, path: string, out: string[]): void {
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) {
      out.push(path || '.');
      return;
    }
    a.forEach((v, i) => collectMissing(v, b[i], `${path}[${i}]`, out));
    return;
  }
  if (a && typeof a === 'object') {
    if (!b || typeof b !== 'object' || Array.isArray(b)) {
      out.push(path || '.');
      return;
    }
    for (const [k, v] of Object.entries(a)) {
      const p = path ? `${path}.${k}` : k;
      if (!(k in b)) out.push(p);
      else collectMissing(v, (b as Record<string, unknown>)[k], p, out);
    }
    return;
  }
  if (a !== b) out.push(path || '.');
}
