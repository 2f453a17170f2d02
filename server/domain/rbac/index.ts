// Public API of the RBAC engine: parse and validate objects, index them, then ask canI,
// whoCan, effective permissions, risk findings and the semantic diff of a change.
export * from './model';
export { validateObject, ValidationIssue, type ValidateObjectResult, type ValidateOptions } from './validate-object';
export { decodeManifestText, validateDocuments, parseRbacObjects, hasErrors, formatIssue, type ManifestInput, type ParsedObjects } from './parse-objects';
export * from './subject';
export { RequestAttributes, normalizeRequest, ruleAllows, type NormalizedRequest } from './rule-matches';
export { selectorMatches } from './label-selector';
export { aggregateClusterRoles, type RuleOrigin, type AggregatedRules } from './aggregate-cluster-roles';
export { buildRbacIndex, roleFingerprint, bindingFingerprint, type BuildOptions, type RbacIndex, type IndexedBinding, type IndexedRole, type BindingProblem } from './index-bindings';
export { canI, canIUser, describeAllowedBy, type CanIResult, type AllowedBy } from './can-i';
export { whoCan, type WhoCanResult, type WhoCanEntry } from './who-can';
export { resolveResourceArg, WORKLOAD_RESOURCES } from './well-known-resources';
export { Scenario, ScenarioCheck, runScenario, runScenarioText, describeCheck, type CheckResult, type ScenarioResult } from './scenario';
export { effectivePermissions, appliedRules, sortVerbs, type EffectivePermissions, type MatrixRow, type NonResourceRow, type AppliedRule, type RuleSource, type Scope } from './effective-permissions';
export { riskFindings, RiskFinding, RiskOptions, RiskCheck, Severity } from './risk-findings';
export { semanticDiff, semanticDiffObjects, subjectPermissions, formatPermission, type RbacDiff, type SubjectDiff, type Permission, type PermissionChange, type ObjectChange } from './semantic-diff';
