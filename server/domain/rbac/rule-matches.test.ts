// Rule matching as the rbac/v1 evaluation helpers decide it, and the compiled form against them.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { PolicyRule } from './model';
import { combinedResource, compileRule, compiledRuleAllows, normalizeRequest, ruleAllows, type RequestAttributes } from './rule-matches';

const rule = (r: Partial<PolicyRule>): PolicyRule => ({ verbs: [], apiGroups: [], resources: [], resourceNames: [], nonResourceURLs: [], ...r });

// Cases from the RBAC documentation and the authorizer's rule-matching helpers.
const cases: [string, Partial<PolicyRule>, RequestAttributes, boolean][] = [
  ['exact verb, group, resource', { verbs: ['get'], apiGroups: [''], resources: ['pods'] }, { verb: 'get', resource: 'pods', namespace: 'a' }, true],
  ['other verb', { verbs: ['get'], apiGroups: [''], resources: ['pods'] }, { verb: 'list', resource: 'pods' }, false],
  ['* verb', { verbs: ['*'], apiGroups: [''], resources: ['pods'] }, { verb: 'deletecollection', resource: 'pods' }, true],
  ['other group', { verbs: ['get'], apiGroups: [''], resources: ['deployments'] }, { verb: 'get', apiGroup: 'apps', resource: 'deployments' }, false],
  ['* group', { verbs: ['get'], apiGroups: ['*'], resources: ['deployments'] }, { verb: 'get', apiGroup: 'apps', resource: 'deployments' }, true],
  ['* resource', { verbs: ['get'], apiGroups: [''], resources: ['*'] }, { verb: 'get', resource: 'secrets' }, true],
  ['* resource covers subresources', { verbs: ['create'], apiGroups: [''], resources: ['*'] }, { verb: 'create', resource: 'pods', subresource: 'exec' }, true],
  ['resource does not cover its subresource', { verbs: ['create'], apiGroups: [''], resources: ['pods'] }, { verb: 'create', resource: 'pods/exec' }, false],
  ['exact subresource', { verbs: ['create'], apiGroups: [''], resources: ['pods/exec'] }, { verb: 'create', resource: 'pods/exec' }, true],
  ['exact subresource via field', { verbs: ['get'], apiGroups: [''], resources: ['pods/log'] }, { verb: 'get', resource: 'pods', subresource: 'log' }, true],
  ['subresource rule does not cover the resource', { verbs: ['get'], apiGroups: [''], resources: ['pods/log'] }, { verb: 'get', resource: 'pods' }, false],
  ['*/subresource on any resource', { verbs: ['get'], apiGroups: ['*'], resources: ['*/status'] }, { verb: 'get', apiGroup: 'apps', resource: 'deployments/status' }, true],
  ['*/subresource not the resource itself', { verbs: ['get'], apiGroups: ['*'], resources: ['*/status'] }, { verb: 'get', apiGroup: 'apps', resource: 'deployments' }, false],
  ['*/subresource other subresource', { verbs: ['get'], apiGroups: ['*'], resources: ['*/status'] }, { verb: 'get', resource: 'pods/log' }, false],
  ['resource/* is not a wildcard', { verbs: ['create'], apiGroups: [''], resources: ['pods/*'] }, { verb: 'create', resource: 'pods/exec' }, false],
  ['resource/* matches only a literal * subresource', { verbs: ['create'], apiGroups: [''], resources: ['pods/*'] }, { verb: 'create', resource: 'pods', subresource: '*' }, true],
  ['resourceNames: listed name', { verbs: ['get'], apiGroups: [''], resources: ['configmaps'], resourceNames: ['cfg'] }, { verb: 'get', resource: 'configmaps', name: 'cfg' }, true],
  ['resourceNames: other name', { verbs: ['get'], apiGroups: [''], resources: ['configmaps'], resourceNames: ['cfg'] }, { verb: 'get', resource: 'configmaps', name: 'other' }, false],
  ['resourceNames: list has no name', { verbs: ['list'], apiGroups: [''], resources: ['configmaps'], resourceNames: ['cfg'] }, { verb: 'list', resource: 'configmaps' }, false],
  ['resourceNames: create has no name', { verbs: ['create'], apiGroups: [''], resources: ['configmaps'], resourceNames: ['cfg'] }, { verb: 'create', resource: 'configmaps' }, false],
  ['resourceNames: * is not special', { verbs: ['get'], apiGroups: [''], resources: ['configmaps'], resourceNames: ['*'] }, { verb: 'get', resource: 'configmaps', name: 'x' }, false],
  ['no resourceNames: any name', { verbs: ['get'], apiGroups: [''], resources: ['configmaps'] }, { verb: 'get', resource: 'configmaps', name: 'x' }, true],
  ['nonResourceURL exact', { verbs: ['get'], nonResourceURLs: ['/healthz'] }, { verb: 'get', nonResourceURL: '/healthz' }, true],
  ['nonResourceURL exact is not a prefix', { verbs: ['get'], nonResourceURLs: ['/healthz'] }, { verb: 'get', nonResourceURL: '/healthz/ready' }, false],
  ['nonResourceURL trailing *', { verbs: ['get'], nonResourceURLs: ['/healthz/*'] }, { verb: 'get', nonResourceURL: '/healthz/ready' }, true],
  ['nonResourceURL trailing * needs the slash', { verbs: ['get'], nonResourceURLs: ['/healthz/*'] }, { verb: 'get', nonResourceURL: '/healthz' }, false],
  ['nonResourceURL prefix without slash', { verbs: ['get'], nonResourceURLs: ['/api*'] }, { verb: 'get', nonResourceURL: '/apis/apps' }, true],
  ['nonResourceURL *', { verbs: ['get'], nonResourceURLs: ['*'] }, { verb: 'get', nonResourceURL: '/metrics' }, true],
  ['nonResourceURL verb', { verbs: ['get'], nonResourceURLs: ['*'] }, { verb: 'post', nonResourceURL: '/metrics' }, false],
  ['resource rule never matches a URL', { verbs: ['*'], apiGroups: ['*'], resources: ['*'] }, { verb: 'get', nonResourceURL: '/healthz' }, false],
  ['URL rule never matches a resource', { verbs: ['*'], nonResourceURLs: ['*'] }, { verb: 'get', resource: 'pods' }, false],
];

describe('ruleAllows', () => {
  it.each(cases)('%s', (_name, r, attrs, want) => {
    const req = normalizeRequest(attrs);
    expect(ruleAllows(rule(r), req)).toBe(want);
    expect(compiledRuleAllows(compileRule(rule(r), 0), req, combinedResource(req))).toBe(want);
  });

  it('compiled rules agree with the reference helpers on arbitrary rules and requests', () => {
    const word = fc.constantFrom('', '*', 'get', 'list', 'pods', 'apps', 'exec', 'status', 'x', 'pods/exec', '*/exec', '*/status', 'pods/*', '/api', '/api*', '/api/*', '/healthz');
    const words = fc.array(word, { maxLength: 3 });
    fc.assert(
      fc.property(words, words, words, words, words, word, word, word, word, word, fc.boolean(), (verbs, apiGroups, resources, resourceNames, nonResourceURLs, verb, g, res, sub, name, isUrl) => {
        const r = rule({ verbs, apiGroups, resources, resourceNames, nonResourceURLs });
        const req = normalizeRequest(isUrl ? { verb: verb || 'get', nonResourceURL: res } : { verb: verb || 'get', apiGroup: g, resource: res.replace('/', ''), subresource: sub.replace('/', ''), name });
        expect(compiledRuleAllows(compileRule(r, 0), req, combinedResource(req))).toBe(ruleAllows(r, req));
      }),
      { numRuns: 3000 },
    );
  });
});

describe('normalizeRequest', () => {
  it('splits resource/subresource and defaults the core group', () => {
    expect(normalizeRequest({ verb: 'create', resource: 'pods/exec', namespace: 'a', name: 'p' })).toMatchObject({
      resourceRequest: true, apiGroup: '', resource: 'pods', subresource: 'exec', namespace: 'a', name: 'p',
    });
  });
  it('does not repeat a subresource given both ways', () => {
    expect(normalizeRequest({ verb: 'create', resource: 'pods/exec', subresource: 'exec' })).toMatchObject({ resource: 'pods', subresource: 'exec' });
  });
  it('makes non-resource requests cluster-wide', () => {
    expect(normalizeRequest({ verb: 'get', nonResourceURL: '/healthz', namespace: 'x' })).toMatchObject({ resourceRequest: false, namespace: '', path: '/healthz' });
  });
});
