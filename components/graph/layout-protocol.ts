// Messages between the page and its layout worker (elkjs runs off the main thread).
export interface LayoutItem {
  id: string;
  width: number;
  height: number;
}
export interface NamespaceLayoutRequest {
  kind: 'namespace';
  id: number;
  nodes: LayoutItem[];
  edges: { source: string; target: string }[];
}
export interface GroupLayoutRequest {
  kind: 'groups';
  id: number;
  /** Tenants with their (collapsed) namespaces. */
  tenants: { id: string; children: LayoutItem[] }[];
  others: LayoutItem[];
  edges: { source: string; target: string }[];
}
export type LayoutRequest = NamespaceLayoutRequest | GroupLayoutRequest;
export interface LayoutResponse {
  id: number;
  /** Children positions are relative to their container. */
  positions: Record<string, { x: number; y: number }>;
  width: number;
  height: number;
  ms: number;
  error?: string;
}

export const SIZES = {
  workload: { width: 170, height: 40 },
  namespace: { width: 190, height: 58 },
  tenant: { width: 210, height: 64 },
  endpoint: { width: 170, height: 40 },
  header: 30,
  padding: 16,
} as const;
