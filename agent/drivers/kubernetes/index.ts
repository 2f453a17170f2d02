// The Kubernetes cluster driver: see kubernetes-driver.ts.
export { createKubernetesDriver, loadKubeConfig, describeApiError, type KubernetesDriverOptions } from './kubernetes-driver';
