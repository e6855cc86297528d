import { Inject, Injectable } from '@nestjs/common';
import { ProxmoxClient, type ProxmoxClientOptions } from '@skyy/proxmox';
import { Conflict, NotFound } from '../../core/errors/problems.ts';
import { ClustersRepository } from './clusters.repository.ts';
import { ClustersService } from './clusters.service.ts';
import type { ClustersTable } from './clusters.table.ts';

/** Client tuning that differs in tests (short task polls); everything else comes from the cluster row. */
export type ProxmoxTuning = Pick<ProxmoxClientOptions, 'timeoutMs' | 'retry' | 'tasks'>;

export const PROXMOX_TUNING = Symbol('PROXMOX_TUNING');

/** Why a cluster cannot be reached with what is stored; says what to fill in. */
export function connectionGaps(row: ClustersTable, secret: string | undefined): string[] {
  const gaps: string[] = [];
  if (row.type !== 'proxmox') gaps.push(`it is a ${row.type} cluster, not proxmox`);
  if (!row.api_url) gaps.push('no API URL');
  if (!row.token_id) gaps.push('no token id');
  if (!secret)
    gaps.push(
      row.token_secret?.startsWith('env:')
        ? `the token secret's variable ${row.token_secret.slice(4)} is not set`
        : 'no token secret',
    );
  return gaps;
}

/** The client options for a cluster row: token auth and the TLS choice stored with it. */
export function clientOptionsFor(
  row: ClustersTable,
  secret: string,
  tuning: ProxmoxTuning = {},
): ProxmoxClientOptions {
  return {
    baseUrl: row.api_url as string,
    tokenId: row.token_id as string,
    tokenSecret: secret,
    tls: {
      ...(row.tls_ca_file ? { caFile: row.tls_ca_file } : {}),
      ...(row.tls_fingerprint ? { fingerprint: row.tls_fingerprint } : {}),
      ...(row.tls_insecure ? { insecure: true } : {}),
    },
    ...tuning,
  };
}

/** Builds ProxmoxClients from cluster rows: the secret is revealed here and nowhere else. */
@Injectable()
export class ProxmoxConnections {
  constructor(
    @Inject(ClustersRepository) private readonly clusters: ClustersRepository,
    @Inject(ClustersService) private readonly clusterService: ClustersService,
    @Inject(PROXMOX_TUNING) private readonly tuning: ProxmoxTuning,
  ) {}

  /** The cluster row, or 404. */
  async cluster(id: string): Promise<ClustersTable> {
    const row = await this.clusters.find(id);
    if (!row) throw new NotFound('Cluster');
    return row;
  }

  /** A client for the cluster; 409 when the row lacks what is needed to connect. Close it after use. */
  async open(id: string): Promise<{ row: ClustersTable; pve: ProxmoxClient }> {
    const row = await this.cluster(id);
    const secret = await this.clusterService.revealTokenSecret(id);
    const gaps = connectionGaps(row, secret);
    if (gaps.length > 0) throw new Conflict(`Cluster ${row.name} cannot be reached: ${gaps.join(', ')}.`);
    return { row, pve: new ProxmoxClient(clientOptionsFor(row, secret as string, this.tuning)) };
  }

  /** Runs `fn` with a client and closes it afterwards. */
  async with<T>(id: string, fn: (pve: ProxmoxClient, row: ClustersTable) => Promise<T>): Promise<T> {
    const { row, pve } = await this.open(id);
    try {
      return await fn(pve, row);
    } finally {
      await pve.close();
    }
  }
}
