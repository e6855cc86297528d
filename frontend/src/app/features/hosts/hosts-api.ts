import { inject, Injectable } from '@angular/core';
import {
  hostImportResultSchema,
  hostPageSchema,
  hostSchema,
  type HostCreate,
  type HostImportResult,
  type HostUpdate,
} from '@skyy/contracts';
import { Api, type Query } from '../../core/http/api.ts';
import { ApiError } from '../../core/http/api-error.ts';

@Injectable({ providedIn: 'root' })
export class HostsApi {
  private readonly api = inject(Api);

  list(query: Query) {
    return this.api.get('/hosts', hostPageSchema, query);
  }
  get(id: string) {
    return this.api.get(`/hosts/${id}`, hostSchema);
  }
  create(host: HostCreate) {
    return this.api.post('/hosts', host, hostSchema);
  }
  update(id: string, host: HostUpdate) {
    return this.api.patch(`/hosts/${id}`, host, hostSchema);
  }
  delete(id: string) {
    return this.api.send('DELETE', `/hosts/${id}`);
  }

  /** The server answers 422 with the same per-file report when any file is invalid. */
  async import(files: { name: string; content: string }[], dryRun: boolean): Promise<HostImportResult> {
    try {
      return await this.api.post('/hosts/import', { files, dryRun }, hostImportResultSchema);
    } catch (error) {
      const problem = ApiError.from(error);
      const report = hostImportResultSchema.safeParse(problem.body);
      if (problem.status === 422 && report.success) return report.data;
      throw problem;
    }
  }
}
