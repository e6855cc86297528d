export interface JobsTable {
  id: string;
  type: string;
  status: string;
  progress: number;
  /** JSON. */
  payload: string;
  /** JSON, once succeeded. */
  result: string | null;
  error: string | null;
  created_by: string | null;
  customer_id: string | null;
  dedupe_key: string | null;
  attempts: number;
  max_attempts: number;
  cancel_requested: number;
  locked_by: string | null;
  lease_expires_at: string | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  updated_at: string;
}

export interface JobLogsTable {
  job_id: string;
  seq: number;
  at: string;
  level: string;
  message: string;
}

export interface JobStepsTable {
  job_id: string;
  name: string;
  position: number;
  status: string;
  /** JSON envelope `{"value": …}` so that `undefined` results survive. */
  result: string | null;
  error: string | null;
  attempts: number;
  started_at: string;
  finished_at: string | null;
}

export interface ScheduleRunsTable {
  schedule_name: string;
  tick_at: string;
  job_id: string | null;
  replica: string;
  created_at: string;
}

export interface JobTables {
  jobs: JobsTable;
  job_logs: JobLogsTable;
  job_steps: JobStepsTable;
  schedule_runs: ScheduleRunsTable;
}
