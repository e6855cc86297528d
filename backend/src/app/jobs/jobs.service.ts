import { Inject, Injectable } from '@nestjs/common';
import type {
  Job,
  JobDetail,
  JobListQuery,
  JobLogPage,
  JobLogQuery,
  JobStart,
  JobTypeInfo,
  Page,
  Schedule,
} from '@skyy/contracts';
import { NotFound, UnprocessableContent } from '../../core/errors/problems.ts';
import { scopeFor } from '../../core/http/access-scope.ts';
import type { Caller } from '../../core/http/caller.ts';
import { JobQueue, Schedules } from '../../core/queue/index.ts';
import { JobsRepository, toJob } from '../../core/queue/jobs.repository.ts';
import { redact } from '../audit/audit.service.ts';

/** The console's view of jobs: listing and detail scoped by tenant, and the operator actions. */
@Injectable()
export class JobsService {
  constructor(
    @Inject(JobsRepository) private readonly repo: JobsRepository,
    @Inject(JobQueue) private readonly queue: JobQueue,
    @Inject(Schedules) private readonly schedules: Schedules,
  ) {}

  async list(caller: Caller, query: JobListQuery): Promise<Page<Job>> {
    const page = await this.repo.page({ ...query, customerId: scopeFor(caller).customerId });
    return { ...page, items: page.items.map(present) };
  }

  async get(caller: Caller, id: string): Promise<JobDetail> {
    const row = await this.repo.find(id, scopeFor(caller).customerId);
    if (!row) throw new NotFound('Job');
    return { ...present(toJob(row)), steps: await this.repo.steps(id) };
  }

  async logs(caller: Caller, id: string, query: JobLogQuery): Promise<JobLogPage> {
    if (!(await this.repo.find(id, scopeFor(caller).customerId))) throw new NotFound('Job');
    const items = await this.repo.logs(id, query.after, query.limit);
    return { items, nextAfter: items.at(-1)?.seq ?? query.after };
  }

  /** Only job types that declare themselves startable from the API can be started here. */
  async start(caller: Caller, input: JobStart): Promise<Job> {
    const type = this.queue.jobType(input.type);
    if (!type?.options.startableFromApi) {
      throw new UnprocessableContent(`Job type "${input.type}" cannot be started from the API.`, [
        { path: 'body.type', message: 'not a job type that can be started from the API' },
      ]);
    }
    if (input.customerId && !(await this.repo.customerExists(input.customerId))) {
      throw new UnprocessableContent('That customer does not exist.', [
        { path: 'body.customerId', message: 'no such customer' },
      ]);
    }
    return present(
      await this.queue.enqueue(caller, input.type, input.payload, { customerId: input.customerId }),
    );
  }

  async cancel(caller: Caller, id: string): Promise<Job> {
    return present(await this.queue.cancel(caller, id));
  }

  async retry(caller: Caller, id: string): Promise<Job> {
    return present(await this.queue.retry(caller, id));
  }

  types(): { items: JobTypeInfo[] } {
    return { items: this.queue.jobTypes() };
  }

  async scheduleList(): Promise<{ items: Schedule[] }> {
    return { items: await this.schedules.list() };
  }
}

/** Payloads and results should never hold secrets; if one slips in, it is not shown. */
function present<T extends Job>(job: T): T {
  return { ...job, payload: redact(job.payload), result: redact(job.result) };
}
