import type { AuditTables } from '../../app/audit/audit.table.ts';
import type { AuthTables } from '../../app/auth/auth.table.ts';
import type { ClusterInventoryTables } from '../../app/clusters/cluster-inventory.table.ts';
import type { ClusterTables } from '../../app/clusters/clusters.table.ts';
import type { CustomerTables } from '../../app/customers/customers.table.ts';
import type { DeploymentTables } from '../../app/deployments/deployments.table.ts';
import type { FirewallTables } from '../../app/firewall/firewalls.table.ts';
import type { GpuTables } from '../../app/gpus/gpus.table.ts';
import type { HostTables } from '../../app/infra/hosts.table.ts';
import type { JobTables } from '../queue/jobs.table.ts';

/** The whole database as Kysely sees it: each module declares its own tables. */
export interface Database
  extends
    AuditTables,
    AuthTables,
    ClusterTables,
    ClusterInventoryTables,
    CustomerTables,
    DeploymentTables,
    HostTables,
    JobTables,
    GpuTables,
    FirewallTables {}
