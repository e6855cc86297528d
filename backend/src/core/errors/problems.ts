/**
 * Errors a service throws on purpose. The problem filter turns each into an RFC 9457
 * `application/problem+json` response; anything else becomes a 500 without internals.
 */
export interface FieldError {
  path: string;
  message: string;
}

export class ProblemError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    detail?: string,
    readonly errors?: FieldError[],
    readonly headers: Record<string, string> = {},
  ) {
    super(detail ?? title);
    this.name = new.target.name;
  }
  get detail(): string | undefined {
    return this.message === this.title ? undefined : this.message;
  }
  get type(): string {
    return `https://skyy.dev/problems/${this.title.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
  }
}

export class ValidationFailed extends ProblemError {
  constructor(errors: FieldError[], detail = 'The request has invalid fields.') {
    super(400, 'Validation failed', detail, errors);
  }
}
export class Unauthorized extends ProblemError {
  constructor(detail = 'Sign in first.') {
    super(401, 'Unauthorized', detail);
  }
}
export class Forbidden extends ProblemError {
  constructor(detail = 'Your role does not allow this.') {
    super(403, 'Forbidden', detail);
  }
}
/** Also used when a customer asks for another customer's resource: existence is not revealed. */
export class NotFound extends ProblemError {
  constructor(what: string) {
    super(404, 'Not found', `${what} does not exist.`);
  }
}
export class Conflict extends ProblemError {
  constructor(detail: string, errors?: FieldError[]) {
    super(409, 'Conflict', detail, errors);
  }
}
export class UnprocessableContent extends ProblemError {
  constructor(detail: string, errors?: FieldError[]) {
    super(422, 'Unprocessable content', detail, errors);
  }
}
export class TooManyRequests extends ProblemError {
  constructor(detail: string, retryAfterSeconds: number) {
    super(429, 'Too many requests', detail, undefined, {
      'retry-after': String(Math.ceil(retryAfterSeconds)),
    });
  }
}
