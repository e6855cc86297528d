import { z } from 'zod';
import { seg, type PveTransport } from './transport.ts';
import { pveConfigValue } from './wire-types.ts';

const containerSchema = z.looseObject({
  vmid: z.union([z.number(), z.string()]).transform(Number),
  name: z.string().optional(),
  status: z.string(),
  cpus: z.number().optional(),
  maxmem: z.number().optional(),
  maxdisk: z.number().optional(),
  uptime: z.number().optional(),
  tags: z.string().optional(),
});
export type ContainerSummary = z.output<typeof containerSchema>;

const containerStatusSchema = z.looseObject({
  vmid: z.number(),
  status: z.string(),
  name: z.string().optional(),
  uptime: z.number().optional(),
});

/** Containers, read only: Skyy lists them and their resources but does not manage them (yet). */
export class LxcApi {
  constructor(private readonly t: PveTransport) {}

  list(node: string): Promise<ContainerSummary[]> {
    return this.t.request(
      z.array(containerSchema),
      'GET',
      `/nodes/${seg(node)}/lxc`,
      {},
      { idempotent: true },
    );
  }

  async config(node: string, vmid: number): Promise<{ config: Record<string, string>; digest: string }> {
    const raw = await this.t.request(
      z.record(z.string(), pveConfigValue),
      'GET',
      `/nodes/${seg(node)}/lxc/${vmid}/config`,
      {},
      { idempotent: true },
    );
    const { digest = '', ...config } = raw;
    return { config, digest };
  }

  status(node: string, vmid: number): Promise<z.output<typeof containerStatusSchema>> {
    return this.t.request(
      containerStatusSchema,
      'GET',
      `/nodes/${seg(node)}/lxc/${vmid}/status/current`,
      {},
      { idempotent: true },
    );
  }
}
