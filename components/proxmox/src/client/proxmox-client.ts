import { CephApi } from './ceph.ts';
import { ClusterApi } from './cluster.ts';
import { LxcApi } from './lxc.ts';
import { NodesApi } from './nodes.ts';
import { PciApi } from './pci.ts';
import { QemuApi } from './qemu.ts';
import { StorageApi } from './storage.ts';
import { TasksApi } from './tasks.ts';
import { PveTransport, type ProxmoxClientOptions } from './transport.ts';
import type { Upid } from './wire-types.ts';

/**
 * A typed client of the Proxmox VE API (token auth), one property per resource.
 *
 *   const pve = new ProxmoxClient({ baseUrl, tokenId, tokenSecret, tls: { fingerprint } });
 *   const upid = await pve.qemu.start('pve1', 100);
 *   await pve.tasks.wait(upid);
 */
export class ProxmoxClient {
  readonly cluster: ClusterApi;
  readonly nodes: NodesApi;
  readonly qemu: QemuApi;
  readonly lxc: LxcApi;
  readonly storage: StorageApi;
  readonly pci: PciApi;
  readonly ceph: CephApi;
  readonly tasks: TasksApi;
  private readonly transport: PveTransport;

  constructor(options: ProxmoxClientOptions) {
    this.transport = new PveTransport(options);
    this.cluster = new ClusterApi(this.transport);
    this.nodes = new NodesApi(this.transport);
    this.qemu = new QemuApi(this.transport);
    this.lxc = new LxcApi(this.transport);
    this.storage = new StorageApi(this.transport);
    this.pci = new PciApi(this.transport);
    this.ceph = new CephApi(this.transport);
    this.tasks = new TasksApi(this.transport);
  }

  /** The API root, e.g. `https://pve1:8006/api2/json`. */
  get apiUrl(): string {
    return this.transport.apiUrl;
  }

  /** Starts a task and waits for it: `await pve.run(pve.qemu.start('pve1', 100))`. */
  async run(task: Promise<Upid>): Promise<void> {
    await this.tasks.wait(await task);
  }

  /** Closes pooled connections. */
  close(): Promise<void> {
    return this.transport.close();
  }
}
