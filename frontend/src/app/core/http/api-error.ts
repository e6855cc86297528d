import { HttpErrorResponse } from '@angular/common/http';
import { problemSchema, type Problem } from '@skyy/contracts';

/** A failed API call, with the server's problem+json when it sent one (RFC 9457). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly problem: Problem | null,
    /** The raw body, for endpoints that answer an error status with a result (host import: 422). */
    readonly body: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** Field errors keyed by their dotted path (`ipAddress`, `settings.storage.os_disk.device`). */
  get fieldErrors(): { path: string; message: string }[] {
    return this.problem?.errors ?? [];
  }

  static from(error: unknown): ApiError {
    if (error instanceof ApiError) return error;
    if (error instanceof HttpErrorResponse) {
      const parsed = problemSchema.safeParse(error.error);
      const problem = parsed.success ? parsed.data : null;
      const message =
        error.status === 0
          ? 'The server cannot be reached. Check your connection and try again.'
          : (problem?.detail ?? problem?.title ?? `The server answered ${error.status} ${error.statusText}`);
      return new ApiError(error.status, message, problem, error.error);
    }
    return new ApiError(0, error instanceof Error ? error.message : String(error), null, null);
  }
}

/** A message fit for a person, whatever was thrown. */
export function errorMessage(error: unknown): string {
  return ApiError.from(error).message;
}
