import { Controller, Get, HttpCode, Inject, Post } from '@nestjs/common';
import {
  jobDetailSchema,
  jobListQuerySchema,
  jobLogPageSchema,
  jobLogQuerySchema,
  jobPageSchema,
  jobSchema,
  jobStartSchema,
  jobTypeListSchema,
  scheduleListSchema,
  type JobListQuery,
  type JobLogQuery,
  type JobStart,
} from '@skyy/contracts';
import { CurrentCaller, type Caller } from '../../core/http/caller.ts';
import { Roles } from '../../core/http/roles.ts';
import { IdParam, Returns, ValidBody, ValidQuery } from '../../core/http/zod-params.ts';
import { JobsService } from './jobs.service.ts';

@Controller('api/v1/jobs')
export class JobsController {
  constructor(@Inject(JobsService) private readonly jobs: JobsService) {}

  @Get()
  @Roles('viewer', 'customer')
  @Returns(jobPageSchema)
  list(@CurrentCaller() caller: Caller, @ValidQuery(jobListQuerySchema) query: JobListQuery) {
    return this.jobs.list(caller, query);
  }

  @Get('types')
  @Roles('viewer')
  @Returns(jobTypeListSchema)
  types() {
    return this.jobs.types();
  }

  @Get('schedules')
  @Roles('viewer')
  @Returns(scheduleListSchema)
  schedules() {
    return this.jobs.scheduleList();
  }

  @Get(':id')
  @Roles('viewer', 'customer')
  @Returns(jobDetailSchema)
  get(@CurrentCaller() caller: Caller, @IdParam() id: string) {
    return this.jobs.get(caller, id);
  }

  @Get(':id/logs')
  @Roles('viewer', 'customer')
  @Returns(jobLogPageSchema)
  logs(
    @CurrentCaller() caller: Caller,
    @IdParam() id: string,
    @ValidQuery(jobLogQuerySchema) query: JobLogQuery,
  ) {
    return this.jobs.logs(caller, id, query);
  }

  @Post()
  @Roles('operator')
  @Returns(jobSchema, 201)
  start(@CurrentCaller() caller: Caller, @ValidBody(jobStartSchema) body: JobStart) {
    return this.jobs.start(caller, body);
  }

  @Post(':id/cancel')
  @Roles('operator')
  @HttpCode(200)
  @Returns(jobSchema)
  cancel(@CurrentCaller() caller: Caller, @IdParam() id: string) {
    return this.jobs.cancel(caller, id);
  }

  @Post(':id/retry')
  @Roles('operator')
  @HttpCode(200)
  @Returns(jobSchema)
  retry(@CurrentCaller() caller: Caller, @IdParam() id: string) {
    return this.jobs.retry(caller, id);
  }
}
