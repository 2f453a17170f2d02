// Server-side apply in miniature: which field manager owns which fields of an object, and
// what an apply by one manager makes of the live object. Maps merge key by key; lists and
// scalars are owned whole (the NetworkPolicy, RBAC and quota lists the sim handles are all
// atomic lists in Kubernetes). Conflicts are always forced, as an agent applying an approved
// change must win; the previous owner simply loses the field.

export type JsonObject = Record<string, unknown>;
/** Manager name → the leaf paths it owns, each path JSON-encoded. */
export type FieldOwners = Map<string, Set<string>>;

function isMap(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function clone<T>(v: T): T {
  return v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T);
}

/** Paths to every leaf: scalars, lists and empty maps (an empty map such as `podSelector: {}` means something). */
export function leafPaths(value: JsonObject, prefix: string[] = []): string[][] {
  const out: string[][] = [];
  for (const [k, v] of Object.entries(value)) {
    if (v === undefined) continue;
    const path = [...prefix, k];
    if (isMap(v) && Object.keys(v).length > 0) out.push(...leafPaths(v, path));
    else out.push(path);
  }
  return out;
}

const encode = (path: string[]) => JSON.stringify(path);
const decode = (key: string) => JSON.parse(key) as string[];

function isPrefix(a: string[], b: string[]): boolean {
  return a.length <= b.length && a.every((s, i) => s === b[i]);
}

function setPath(target: JsonObject, path: string[], value: unknown): void {
  let node = target;
  for (let i = 0; i < path.length - 1; i++) {
    const next = node[path[i]!];
    if (!isMap(next)) node[path[i]!] = {};
    node = node[path[i]!] as JsonObject;
  }
  node[path[path.length - 1]!] = clone(value);
}

function getPath(source: JsonObject, path: string[]): unknown {
  let node: unknown = source;
  for (const s of path) {
    if (!isMap(node)) return undefined;
    node = node[s];
  }
  return node;
}

/** Removes the field and any map left empty above it (but never the top level). */
function deletePath(target: JsonObject, path: string[]): void {
  const parents: JsonObject[] = [];
  let node = target;
  for (let i = 0; i < path.length - 1; i++) {
    const next = node[path[i]!];
    if (!isMap(next)) return;
    parents.push(node);
    node = next;
  }
  delete node[path[path.length - 1]!];
  for (let i = path.length - 2; i >= 0; i--) {
    const parent = parents[i]!;
    const child = parent[path[i]!];
    if (isMap(child) && Object.keys(child).length === 0 && i > 0) delete parent[path[i]!];
    else break;
  }
}

/** Ownership of every field of an object that one manager wrote whole (how the sim's own objects start out). */
export function ownedBy(manager: string, object: JsonObject): FieldOwners {
  return new Map([[manager, new Set(leafPaths(object).map(encode))]]);
}

export interface ApplyResult {
  object: JsonObject;
  owners: FieldOwners;
}

/**
 * What the store holds after `manager` applies `applied` onto `live`: fields the manager
 * owned before and no longer sends are removed unless another manager also owns them;
 * every field it sends is set and becomes its own.
 */
export function applyFields(live: JsonObject | undefined, owners: FieldOwners, manager: string, applied: JsonObject): ApplyResult {
  const result: JsonObject = clone(live ?? {});
  const appliedPaths = leafPaths(applied);
  const appliedKeys = new Set(appliedPaths.map(encode));
  const nextOwners: FieldOwners = new Map();
  for (const [m, paths] of owners) if (m !== manager) nextOwners.set(m, new Set(paths));

  for (const key of owners.get(manager) ?? []) {
    if (appliedKeys.has(key)) continue;
    const path = decode(key);
    const sharedWithOthers = [...nextOwners.values()].some((s) => s.has(key));
    const replacedDeeper = appliedPaths.some((p) => isPrefix(path, p));
    if (!sharedWithOthers && !replacedDeeper) deletePath(result, path);
  }
  for (const path of appliedPaths) setPath(result, path, getPath(applied, path));
  // Forced conflicts: whoever owned a field the manager just set (or a field above or below it) loses it.
  for (const paths of nextOwners.values()) {
    for (const key of [...paths]) {
      const owned = decode(key);
      if (appliedPaths.some((p) => isPrefix(p, owned) || isPrefix(owned, p))) paths.delete(key);
    }
  }
  nextOwners.set(manager, appliedKeys);
  for (const [m, paths] of nextOwners) if (paths.size === 0) nextOwners.delete(m);
  return { object: result, owners: nextOwners };
}

/** Moves one field to another manager, as a controller taking over `spec.replicas` does. */
export function transferField(owners: FieldOwners, path: string[], to: string): FieldOwners {
  const key = encode(path);
  const next: FieldOwners = new Map();
  for (const [m, paths] of owners) next.set(m, new Set([...paths].filter((k) => k !== key)));
  next.set(to, new Set([...(next.get(to) ?? []), key]));
  for (const [m, paths] of next) if (paths.size === 0) next.delete(m);
  return next;
}

export function ownsField(owners: FieldOwners, manager: string, path: string[]): boolean {
  return owners.get(manager)?.has(encode(path)) ?? false;
}

/** Structural equality of JSON values, key order ignored. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((v, i) => jsonEqual(v, b[i]));
  }
  if (isMap(a) && isMap(b)) {
    const ka = Object.keys(a).filter((k) => a[k] !== undefined);
    const kb = Object.keys(b).filter((k) => b[k] !== undefined);
    return ka.length === kb.length && ka.every((k) => jsonEqual(a[k], b[k]));
  }
  return false;
}
