import { ProblemError } from '../../core/errors/problems.ts';

/** A one-time link that cannot be used (any more): unknown, used, revoked or expired alike. */
export class LinkUnusable extends ProblemError {
  constructor(detail: string) {
    super(410, 'Gone', detail);
  }
}
