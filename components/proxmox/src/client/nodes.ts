import { z } from 'zod';
import { seg, type PveTransport } from './transport.ts';
import { pveNumber } from './wire-types.ts';

const nodeSummarySchema = z.looseObject({
  node: z.string(),
  status: z.enum(['online', 'offline', 'unknown']),
  cpu: z.number().optional(),
  maxcpu: z.number().optional(),
  mem: z.number().optional(),
  maxmem: z.number().optional(),
  uptime: z.number().optional(),
  ssl_fingerprint: z.string().optional(),
});
export type NodeSummary = z.output<typeof nodeSummarySchema>;

const nodeStatusSchema = z.looseObject({
  cpu: z.number(),
  uptime: z.number(),
  loadavg: z.array(pveNumber).optional(),
  memory: z.looseObject({ total: z.number(), used: z.number(), free: z.number() }),
  cpuinfo: z.looseObject({ model: z.string(), cpus: z.number(), sockets: z.number().optional() }),
  kversion: z.string().optional(),
  pveversion: z.string().optional(),
});
export type NodeStatus = z.output<typeof nodeStatusSchema>;

export class NodesApi {
  constructor(private readonly t: PveTransport) {}

  list(): Promise<NodeSummary[]> {
    return this.t.request(z.array(nodeSummarySchema), 'GET', '/nodes', {}, { idempotent: true });
  }

  status(node: string): Promise<NodeStatus> {
    return this.t.request(nodeStatusSchema, 'GET', `/nodes/${seg(node)}/status`, {}, { idempotent: true });
  }
}
