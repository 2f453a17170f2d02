// Who is asking: users, groups and service accounts turned into the user info the authorizer
// sees (name plus groups), and the keys the binding indexes use to find them.
import { z } from 'zod';
import type { Subject } from './model';

export const SA_USER_PREFIX = 'system:serviceaccount:';
export const ALL_SERVICE_ACCOUNTS_GROUP = 'system:serviceaccounts';
export const AUTHENTICATED_GROUP = 'system:authenticated';
export const UNAUTHENTICATED_GROUP = 'system:unauthenticated';
export const ANONYMOUS_USER = 'system:anonymous';

/** A subject asking a question: a user (with groups), a service account, or one group on its own. */
export const RequestSubject = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('User'), name: z.string().min(1), groups: z.array(z.string()).optional() }),
  z.object({ kind: z.literal('ServiceAccount'), namespace: z.string().min(1), name: z.string().min(1) }),
  z.object({ kind: z.literal('Group'), name: z.string().min(1) }),
]);
export type RequestSubject = z.infer<typeof RequestSubject>;

/** What the authorizer matches bindings against. */
export type UserInfo = { name: string; groups: string[] };

export function serviceAccountUsername(namespace: string, name: string): string {
  return `${SA_USER_PREFIX}${namespace}:${name}`;
}

/** Splits `system:serviceaccount:NS:NAME` as the API server's serviceaccount.SplitUsername does. */
export function parseServiceAccountUsername(user: string): { namespace: string; name: string } | undefined {
  if (!user.startsWith(SA_USER_PREFIX)) return undefined;
  const parts = user.slice(SA_USER_PREFIX.length).split(':');
  if (parts.length !== 2 || parts[0] === '' || parts[1] === '') return undefined;
  return { namespace: parts[0]!, name: parts[1]! };
}

export function serviceAccountGroups(namespace: string): string[] {
  return [ALL_SERVICE_ACCOUNTS_GROUP, `${ALL_SERVICE_ACCOUNTS_GROUP}:${namespace}`];
}

/**
 * The user info a request carries. Service accounts get their two groups; every user but
 * `system:anonymous` is in `system:authenticated`, which the authenticator adds (and
 * impersonation adds too, as it adds the service-account groups for an SA user name).
 * A Group subject stands for "what is granted to this group", so it carries nothing else.
 */
export function userInfoFor(subject: RequestSubject): UserInfo {
  if (subject.kind === 'Group') return { name: '', groups: [subject.name] };
  const sa = subject.kind === 'ServiceAccount' ? subject : parseServiceAccountUsername(subject.name);
  const name = subject.kind === 'ServiceAccount' ? serviceAccountUsername(subject.namespace, subject.name) : subject.name;
  const groups = new Set(subject.kind === 'User' ? (subject.groups ?? []) : []);
  if (sa) for (const g of serviceAccountGroups(sa.namespace)) groups.add(g);
  if (name === ANONYMOUS_USER) groups.add(UNAUTHENTICATED_GROUP);
  else if (!groups.has(UNAUTHENTICATED_GROUP)) groups.add(AUTHENTICATED_GROUP);
  return { name, groups: [...groups] };
}

/**
 * The namespace a binding subject names. A ServiceAccount subject without a namespace in a
 * RoleBinding means the binding's own namespace (the authorizer's appliesToUser defaults it).
 */
export function subjectNamespace(subject: Subject, bindingNamespace: string): string | undefined {
  if (subject.kind !== 'ServiceAccount') return undefined;
  if (subject.namespace !== undefined && subject.namespace !== '') return subject.namespace;
  return bindingNamespace === '' ? undefined : bindingNamespace;
}

/** A binding subject with its namespace resolved, as whoCan and the diff report it. */
export type ResolvedSubject = { kind: 'User' | 'Group' | 'ServiceAccount'; name: string; namespace?: string };

export function resolveSubject(subject: Subject, bindingNamespace: string): ResolvedSubject | undefined {
  if (subject.kind !== 'ServiceAccount') return { kind: subject.kind, name: subject.name };
  const namespace = subjectNamespace(subject, bindingNamespace);
  return namespace === undefined ? undefined : { kind: 'ServiceAccount', namespace, name: subject.name };
}

export function subjectKey(s: ResolvedSubject): string {
  return s.kind === 'ServiceAccount' ? `ServiceAccount:${s.namespace}/${s.name}` : `${s.kind}:${s.name}`;
}

export function formatSubject(s: ResolvedSubject | RequestSubject): string {
  return s.kind === 'ServiceAccount' ? `ServiceAccount ${s.namespace}/${s.name}` : `${s.kind} ${s.name}`;
}

/** The authorizer's own wording for a binding subject (describeSubject in the RBAC authorizer). */
export function describeBindingSubject(subject: Subject, bindingNamespace: string): string {
  if (subject.kind === 'ServiceAccount') {
    return `${subject.kind} ${JSON.stringify(`${subject.name}/${subject.namespace || bindingNamespace}`)}`;
  }
  return `${subject.kind} ${JSON.stringify(subject.name)}`;
}

/**
 * The index key a binding subject is filed under: users and service accounts by user name,
 * groups by group name. Undefined when the subject can never match (SA without namespace in a ClusterRoleBinding).
 */
export function bindingSubjectMatchKey(subject: Subject, bindingNamespace: string): { by: 'user' | 'group'; key: string } | undefined {
  switch (subject.kind) {
    case 'User':
      return { by: 'user', key: subject.name };
    case 'Group':
      return { by: 'group', key: subject.name };
    case 'ServiceAccount': {
      const ns = subjectNamespace(subject, bindingNamespace);
      return ns === undefined ? undefined : { by: 'user', key: serviceAccountUsername(ns, subject.name) };
    }
  }
}

/** The authorizer's appliesToUser, unindexed: the reference the indexes are tested against. */
export function bindingSubjectApplies(user: UserInfo, subject: Subject, bindingNamespace: string): boolean {
  const key = bindingSubjectMatchKey(subject, bindingNamespace);
  if (!key) return false;
  return key.by === 'user' ? user.name === key.key : user.groups.includes(key.key);
}
