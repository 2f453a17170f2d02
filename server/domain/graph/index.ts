// Public API of the traffic graph's pure logic: aggregation, mTLS and verdict classes,
// level of detail, posture, STRICT readiness and layout composition.
export * from './model';
export * from './endpoints';
export * from './build-graph';
export * from './strict-readiness';
export * from './compose-layout';
export * from './flow-read-plan';
