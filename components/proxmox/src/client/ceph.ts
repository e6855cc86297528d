import { z } from 'zod';
import { seg, type PveTransport } from './transport.ts';
import { pveBool, upidSchema, type Upid } from './wire-types.ts';

export const cephFlags = [
  'nobackfill',
  'nodeep-scrub',
  'nodown',
  'noin',
  'noout',
  'norebalance',
  'norecover',
  'noscrub',
  'notieragent',
  'noup',
  'pause',
] as const;
export type CephFlag = (typeof cephFlags)[number];

const cephStatusSchema = z.looseObject({
  fsid: z.string().optional(),
  health: z.looseObject({
    status: z.string(),
    checks: z
      .record(
        z.string(),
        z.looseObject({ severity: z.string(), summary: z.looseObject({ message: z.string() }) }),
      )
      .default({}),
  }),
  quorum_names: z.array(z.string()).optional(),
  osdmap: z
    .looseObject({ num_osds: z.number(), num_up_osds: z.number(), num_in_osds: z.number() })
    .optional(),
  pgmap: z
    .looseObject({
      bytes_total: z.number().optional(),
      bytes_used: z.number().optional(),
      num_pgs: z.number().optional(),
    })
    .optional(),
});
export type CephStatus = z.output<typeof cephStatusSchema>;

const flagSchema = z.looseObject({ name: z.string(), description: z.string().optional(), value: pveBool });

/** Hyper-converged Ceph as PVE manages it (a Ceph cluster outside PVE has its own client). */
export class CephApi {
  constructor(private readonly t: PveTransport) {}

  status(): Promise<CephStatus> {
    return this.t.request(cephStatusSchema, 'GET', '/cluster/ceph/status', {}, { idempotent: true });
  }

  async flags(): Promise<Record<CephFlag, boolean>> {
    const list = await this.t.request(
      z.array(flagSchema),
      'GET',
      '/cluster/ceph/flags',
      {},
      { idempotent: true },
    );
    const out = Object.fromEntries(cephFlags.map((flag) => [flag, false])) as Record<CephFlag, boolean>;
    for (const entry of list)
      if ((cephFlags as readonly string[]).includes(entry.name)) out[entry.name as CephFlag] = entry.value;
    return out;
  }

  /** Sets or clears one flag (e.g. `noout` before a node's maintenance). */
  async setFlag(flag: CephFlag, value: boolean): Promise<void> {
    await this.t.request(
      z.null(),
      'PUT',
      `/cluster/ceph/flags/${seg(flag)}`,
      { value },
      { idempotent: true },
    );
  }

  /** Several flags at once; PVE runs this as a task. */
  setFlags(flags: Partial<Record<CephFlag, boolean>>): Promise<Upid> {
    return this.t.request(upidSchema, 'PUT', '/cluster/ceph/flags', flags, { idempotent: true });
  }
}
