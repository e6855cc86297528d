import type { Deployment } from '@skyy/contracts';

export function deploymentStatusClass(status: Deployment['status']): 'ok' | 'busy' | 'bad' | 'idle' {
  if (status === 'running') return 'ok';
  if (status === 'deploying') return 'busy';
  if (status === 'failed') return 'bad';
  return 'idle';
}

export const deploymentStatuses: Deployment['status'][] = [
  'planned',
  'deploying',
  'running',
  'stopped',
  'failed',
  'removed',
];
