import { z } from 'zod';
import { seg, type PveTransport } from './transport.ts';
import { pveBool } from './wire-types.ts';

const storageConfigSchema = z.looseObject({
  storage: z.string(),
  type: z.string(),
  content: z.string().optional(),
  shared: pveBool.optional(),
  nodes: z.string().optional(),
  disable: pveBool.optional(),
});
export type StorageConfig = z.output<typeof storageConfigSchema>;

const storageStatusSchema = z.looseObject({
  storage: z.string(),
  type: z.string(),
  content: z.string(),
  active: pveBool.optional(),
  enabled: pveBool.optional(),
  shared: pveBool.optional(),
  total: z.number().optional(),
  used: z.number().optional(),
  avail: z.number().optional(),
});
export type StorageStatus = z.output<typeof storageStatusSchema>;

export class StorageApi {
  constructor(private readonly t: PveTransport) {}

  /** The cluster's storage definitions (/storage). */
  list(): Promise<StorageConfig[]> {
    return this.t.request(z.array(storageConfigSchema), 'GET', '/storage', {}, { idempotent: true });
  }

  /** Storages usable on a node with their usage; `content: 'images'` for VM disks. */
  onNode(node: string, options: { content?: string; enabled?: boolean } = {}): Promise<StorageStatus[]> {
    return this.t.request(
      z.array(storageStatusSchema),
      'GET',
      `/nodes/${seg(node)}/storage`,
      { content: options.content, enabled: options.enabled },
      { idempotent: true },
    );
  }

  status(node: string, storage: string): Promise<StorageStatus> {
    return this.t.request(
      storageStatusSchema,
      'GET',
      `/nodes/${seg(node)}/storage/${seg(storage)}/status`,
      {},
      { idempotent: true },
    );
  }
}
