export * from './identity';
export * from './tenancy';
export * from './audit';
export * from './agents';
