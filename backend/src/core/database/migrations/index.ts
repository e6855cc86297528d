import type { Migration } from 'kysely';
import * as inventory from './0001-inventory.ts';
import * as auth from './0002-auth.ts';
import * as jobs from './0003-jobs.ts';
import * as clusterInventory from './0004-cluster-inventory.ts';
import * as firewalls from './0005-firewalls.ts';
import * as gpus from './0006-gpus.ts';
import * as gpuChassis from './0007-gpu-chassis.ts';

/**
 * Every migration, in order. Names sort lexicographically, so keep the four-digit prefix.
 * Forward-only: never edit a migration that has shipped; add a new one.
 */
export const migrations: Record<string, Migration> = {
  '0001-inventory': inventory,
  '0002-auth': auth,
  '0003-jobs': jobs,
  '0004-cluster-inventory': clusterInventory,
  '0005-firewalls': firewalls,
  '0006-gpus': gpus,
  '0007-gpu-chassis': gpuChassis,
};
