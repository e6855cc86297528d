import type { JobStatus } from '@skyy/contracts';

/** The colour of a job status in lists and headers (`.status.ok` etc. in styles.scss). */
export function jobStatusClass(status: JobStatus): 'ok' | 'busy' | 'bad' | 'idle' {
  switch (status) {
    case 'succeeded':
      return 'ok';
    case 'running':
      return 'busy';
    case 'failed':
      return 'bad';
    default:
      return 'idle';
  }
}

export const finishedStatuses: readonly JobStatus[] = ['succeeded', 'failed', 'cancelled'];
