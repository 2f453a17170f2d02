// The simulated cluster driver: an in-memory, seeded cluster for the demo and the tests.
export { createSimDriver, intervalScheduler, DEFAULT_TICK_MS, type Scheduler, type SimDriver, type SimDriverOptions } from './sim-driver';
export { SimCluster, AUTOSCALER_MANAGER, type WorkloadUsage } from './sim-cluster';
export { CALL_GRAPH, MINING_POOLS, generateFlows, type EdgeSpec } from './traffic';
export { TENANT_LABEL } from './cluster-blueprint';
