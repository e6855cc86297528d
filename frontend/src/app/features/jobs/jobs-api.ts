import { inject, Injectable } from '@angular/core';
import {
  jobDetailSchema,
  jobLogPageSchema,
  jobPageSchema,
  jobSchema,
  jobTypeListSchema,
  type JobStart,
} from '@skyy/contracts';
import { Api, type Query } from '../../core/http/api.ts';

/** Jobs the user started in this tab: the console tells them when those end. */
@Injectable({ providedIn: 'root' })
export class StartedJobs {
  private readonly ids = new Set<string>();
  remember(id: string): void {
    this.ids.add(id);
  }
  /** True once per job: the first time it is seen ending. */
  forget(id: string): boolean {
    return this.ids.delete(id);
  }
}

@Injectable({ providedIn: 'root' })
export class JobsApi {
  private readonly api = inject(Api);
  private readonly started = inject(StartedJobs);

  list(query: Query) {
    return this.api.get('/jobs', jobPageSchema, query);
  }
  get(id: string) {
    return this.api.get(`/jobs/${id}`, jobDetailSchema);
  }
  logs(id: string, after: number) {
    return this.api.get(`/jobs/${id}/logs`, jobLogPageSchema, { after, limit: 1000 });
  }
  types() {
    return this.api.get('/jobs/types', jobTypeListSchema);
  }
  async start(request: Partial<JobStart> & { type: string }) {
    const job = await this.api.post('/jobs', request, jobSchema);
    this.started.remember(job.id);
    return job;
  }
  cancel(id: string) {
    return this.api.post(`/jobs/${id}/cancel`, {}, jobSchema);
  }
  async retry(id: string) {
    const job = await this.api.post(`/jobs/${id}/retry`, {}, jobSchema);
    this.started.remember(job.id);
    return job;
  }
}
