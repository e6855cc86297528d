export interface DeploymentsTable {
  id: string;
  name: string;
  kind: string;
  status: string;
  customer_id: string | null;
  host_id: string | null;
  runtime: string | null;
  description: string | null;
  /** JSON array. */
  tags: string;
  created_at: string;
  updated_at: string;
}
export interface DeploymentTables {
  deployments: DeploymentsTable;
}
