export interface AuditLogTable {
  id: string;
  at: string;
  actor_id: string | null;
  actor_name: string | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  customer_id: string | null;
  ip: string | null;
  request_id: string | null;
  details: string;
}
export interface AuditTables {
  audit_log: AuditLogTable;
}
