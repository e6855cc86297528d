/**
 * Who may call each endpoint, as reviewed by a person. The access-matrix test compares the live
 * route table with this list: adding an endpoint or changing its rule means updating this file,
 * which makes the change visible in review. `viewer+` = viewer, operator, admin; `operator+` =
 * operator, admin; `customer` = customer users (scoped to their own customer in the service);
 * `authenticated` = any signed-in user (own account); `public` = no sign-in.
 */
export const reviewedAccessRules: Record<string, string> = {
  // Console (static files of the single-page app)
  'GET /': 'public',
  'GET /*': 'public',

  // System
  'GET /api/health': 'public',
  'GET /api/ready': 'public',
  'GET /metrics': 'public',
  'GET /api/openapi.json': 'public',
  'GET /api/docs': 'public',
  'GET /api/docs/assets/:file': 'public',

  // Sign-in and own account
  'GET /api/v1/auth/setup': 'public',
  'POST /api/v1/auth/setup': 'public',
  'POST /api/v1/auth/login': 'public',
  'POST /api/v1/auth/register': 'public',
  'GET /api/v1/auth/invites/:token': 'public',
  'POST /api/v1/auth/password/forgot': 'public',
  'POST /api/v1/auth/password/reset': 'public',
  'POST /api/v1/auth/logout': 'authenticated',
  'GET /api/v1/auth/me': 'authenticated',
  'POST /api/v1/auth/password/change': 'authenticated',
  'GET /api/v1/auth/tokens': 'authenticated',
  'POST /api/v1/auth/tokens': 'authenticated',
  'DELETE /api/v1/auth/tokens/:id': 'authenticated',

  // People: admins only
  'GET /api/v1/users': 'admin+',
  'GET /api/v1/users/:id': 'admin+',
  'PATCH /api/v1/users/:id': 'admin+',
  'DELETE /api/v1/users/:id': 'admin+',
  'GET /api/v1/invites': 'admin+',
  'POST /api/v1/invites': 'admin+',
  'DELETE /api/v1/invites/:id': 'admin+',

  // Inventory: staff read, operators change; customers read their own
  'GET /api/v1/hosts': 'viewer+,customer',
  'GET /api/v1/hosts/:id': 'viewer+,customer',
  'POST /api/v1/hosts': 'operator+',
  'POST /api/v1/hosts/import': 'operator+',
  'PATCH /api/v1/hosts/:id': 'operator+',
  'DELETE /api/v1/hosts/:id': 'operator+',
  'GET /api/v1/customers': 'viewer+,customer',
  'GET /api/v1/customers/:id': 'viewer+,customer',
  'POST /api/v1/customers': 'operator+',
  'PATCH /api/v1/customers/:id': 'operator+',
  'DELETE /api/v1/customers/:id': 'operator+',
  'GET /api/v1/deployments': 'viewer+,customer',
  'GET /api/v1/deployments/:id': 'viewer+,customer',
  'POST /api/v1/deployments': 'operator+',
  'PATCH /api/v1/deployments/:id': 'operator+',
  'DELETE /api/v1/deployments/:id': 'operator+',

  // Clusters hold credentials: staff read, admins change; customers never
  'GET /api/v1/clusters': 'viewer+',
  'GET /api/v1/clusters/:id': 'viewer+',
  'POST /api/v1/clusters': 'admin+',
  'PATCH /api/v1/clusters/:id': 'admin+',
  'DELETE /api/v1/clusters/:id': 'admin+',
  'POST /api/v1/clusters/:id/sync': 'operator+',
  'GET /api/v1/clusters/:id/status': 'viewer+',
  'GET /api/v1/clusters/:id/nodes': 'viewer+',
  'GET /api/v1/clusters/:id/guests': 'viewer+',
  'GET /api/v1/clusters/:id/guests/:vmid': 'viewer+',
  'GET /api/v1/clusters/:id/storages': 'viewer+',
  'GET /api/v1/clusters/:id/gpus': 'viewer+',
  'GET /api/v1/clusters/:id/drift': 'viewer+',
  'POST /api/v1/clusters/:id/plan': 'operator+',
  'POST /api/v1/clusters/:id/apply': 'operator+',
  'GET /api/v1/firewalls': 'viewer+',
  'GET /api/v1/firewalls/:id': 'viewer+',
  'POST /api/v1/firewalls': 'admin+',
  'PATCH /api/v1/firewalls/:id': 'admin+',
  'DELETE /api/v1/firewalls/:id': 'admin+',
  'GET /api/v1/firewalls/:id/networking': 'viewer+',
  'PUT /api/v1/firewalls/:id/networking': 'operator+',
  'GET /api/v1/firewalls/:id/plan': 'viewer+',
  'POST /api/v1/firewalls/:id/apply': 'operator+',
  'GET /api/v1/firewalls/:id/status': 'viewer+',

  // Jobs and live events: customers see their own
  'GET /api/v1/jobs': 'viewer+,customer',
  'GET /api/v1/jobs/:id': 'viewer+,customer',
  'GET /api/v1/jobs/:id/logs': 'viewer+,customer',
  'GET /api/v1/jobs/types': 'viewer+',
  'GET /api/v1/jobs/schedules': 'viewer+',
  'POST /api/v1/jobs': 'operator+',
  'POST /api/v1/jobs/:id/cancel': 'operator+',
  'POST /api/v1/jobs/:id/retry': 'operator+',
  'GET /api/v1/events': 'viewer+,customer',

  // GPUs: staff read, operators edit the central config, admins issue agent tokens. The agent
  // routes take only the host's agent token (`agent`): users get 403, anonymous callers 401.
  'GET /api/v1/gpus': 'viewer+',
  'GET /api/v1/gpus/config': 'viewer+',
  'PUT /api/v1/gpus/config': 'operator+',
  'GET /api/v1/gpus/config/:host': 'viewer+',
  'PUT /api/v1/gpus/config/:host': 'operator+',
  'DELETE /api/v1/gpus/config/:host': 'operator+',
  'GET /api/v1/gpus/:uuid/history': 'viewer+',
  'DELETE /api/v1/gpus/:uuid': 'operator+',
  'GET /api/v1/gpu-agents': 'viewer+',
  'POST /api/v1/gpu-agents': 'admin+',
  'DELETE /api/v1/gpu-agents/:id': 'admin+',
  'GET /api/v1/gpu-agents/:host/config': 'agent',
  'POST /api/v1/gpu-agents/:host/heartbeat': 'agent',

  // Audit log: staff only
  'GET /api/v1/audit': 'viewer+',
};
