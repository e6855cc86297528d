import { inject, Injectable, signal } from '@angular/core';
import { clusterPageSchema, customerPageSchema, hostPageSchema } from '@skyy/contracts';
import { Api } from '../core/http/api.ts';

export interface NamedRef {
  id: string;
  name: string;
}

/**
 * Names of clusters, customers and hosts for pickers and for showing an id as a name.
 * Loaded on first use (the first 500 of each; an estate of this size has far fewer).
 */
@Injectable({ providedIn: 'root' })
export class ReferenceNames {
  private readonly api = inject(Api);
  readonly clusters = signal<NamedRef[]>([]);
  readonly customers = signal<NamedRef[]>([]);
  readonly hosts = signal<NamedRef[]>([]);

  async loadClusters(): Promise<void> {
    const page = await this.api.get('/clusters', clusterPageSchema, { limit: 500 }).catch(() => null);
    if (page) this.clusters.set(page.items.map((c) => ({ id: c.id, name: c.name })));
  }

  async loadCustomers(): Promise<void> {
    const page = await this.api.get('/customers', customerPageSchema, { limit: 500 }).catch(() => null);
    if (page) this.customers.set(page.items.map((c) => ({ id: c.id, name: c.name })));
  }

  async loadHosts(): Promise<void> {
    const page = await this.api.get('/hosts', hostPageSchema, { limit: 500 }).catch(() => null);
    if (page) this.hosts.set(page.items.map((h) => ({ id: h.id, name: h.hostname })));
  }

  nameOf(list: NamedRef[], id: string | null): string | null {
    if (!id) return null;
    return list.find((ref) => ref.id === id)?.name ?? id.slice(0, 8);
  }
}
