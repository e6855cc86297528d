import { inject, Injectable } from '@angular/core';
import { clusterPageSchema, clusterSchema, type ClusterCreate, type ClusterUpdate } from '@skyy/contracts';
import { Api, type Query } from '../../core/http/api.ts';

@Injectable({ providedIn: 'root' })
export class ClustersApi {
  private readonly api = inject(Api);

  list(query: Query) {
    return this.api.get('/clusters', clusterPageSchema, query);
  }
  get(id: string) {
    return this.api.get(`/clusters/${id}`, clusterSchema);
  }
  create(cluster: ClusterCreate) {
    return this.api.post('/clusters', cluster, clusterSchema);
  }
  update(id: string, cluster: ClusterUpdate) {
    return this.api.patch(`/clusters/${id}`, cluster, clusterSchema);
  }
  delete(id: string) {
    return this.api.send('DELETE', `/clusters/${id}`);
  }
}
