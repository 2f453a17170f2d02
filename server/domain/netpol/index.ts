// Public API of the NetworkPolicy engine (networking.k8s.io/v1 semantics) and the Istio
// PeerAuthentication resolver. Pure: callers bring text and inventory, nothing here does I/O.
export { type ObjectRef, type Problem, describeObject, formatProblem } from './errors';
export {
  type Labels,
  type LabelSelector,
  type LabelSelectorRequirement,
  matchesSelector,
  formatSelector,
  isEmptySelector,
} from './label-selector';
export { type Cidr, type IpAddress, parseCidr, parseIp, cidrContainsIp, isStrictSubset } from './ip-block';
export {
  ClusterMember,
  ContainerPort,
  Namespace,
  Protocol,
  Workload,
  type IpBlock,
  type NetworkPolicy,
  type PolicyPeer,
  type PolicyPort,
  type PolicyRef,
  type PolicyRule,
  formatPolicyRef,
} from './model';
export { readNetworkPolicy, NETWORK_POLICY_API_VERSION, type ReadPolicyOptions, type ReadPolicyResult } from './validate-policy';
export {
  parseManifestText,
  parsePolicies,
  readPolicies,
  type ParsedDocument,
  type ReadPoliciesOptions,
  type ReadPoliciesResult,
} from './parse-policies';
export {
  NetpolEngine,
  NAMESPACE_NAME_LABEL,
  type Connection,
  type DirectionVerdict,
  type Endpoint,
  type EngineOptions,
  type RuleMatch,
  type Verdict,
} from './evaluate-connection';
export { explainVerdict, explainDirection, formatConnection, formatRuleMatch } from './explain-verdict';
export { connectivityMatrix, formatMatrix, type ConnectivityMatrix, type MatrixPort } from './connectivity-matrix';
export {
  Scenario,
  ScenarioEndpoint,
  ScenarioPod,
  ScenarioProbe,
  buildScenario,
  parseScenario,
  runProbes,
  runScenarioText,
  type BuiltScenario,
  type ParsedScenario,
  type ProbeResult,
  type ResolvedProbe,
} from './scenario';
export {
  FlowEndpoint,
  ObservedFlow,
  analyzeImpact,
  diffPolicies,
  type FlowChange,
  type ImpactInput,
  type ImpactResult,
  type PolicyChanges,
} from './impact';
export {
  DEFAULT_ROOT_NAMESPACE,
  MTLS_MODES,
  mtlsFinding,
  readPeerAuthentication,
  resolveMtls,
  type EffectiveMtlsMode,
  type MtlsMode,
  type MtlsResolution,
  type ObservedTls,
  type PeerAuthentication,
  type ResolveMtlsOptions,
} from './mesh-posture';
