import { inject, Injectable } from '@angular/core';
import {
  deploymentPageSchema,
  deploymentSchema,
  type DeploymentCreate,
  type DeploymentUpdate,
} from '@skyy/contracts';
import { Api, type Query } from '../../core/http/api.ts';

@Injectable({ providedIn: 'root' })
export class DeploymentsApi {
  private readonly api = inject(Api);

  list(query: Query) {
    return this.api.get('/deployments', deploymentPageSchema, query);
  }
  get(id: string) {
    return this.api.get(`/deployments/${id}`, deploymentSchema);
  }
  create(deployment: DeploymentCreate) {
    return this.api.post('/deployments', deployment, deploymentSchema);
  }
  update(id: string, deployment: DeploymentUpdate) {
    return this.api.patch(`/deployments/${id}`, deployment, deploymentSchema);
  }
  delete(id: string) {
    return this.api.send('DELETE', `/deployments/${id}`);
  }
}
