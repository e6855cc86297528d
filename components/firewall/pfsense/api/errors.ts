/**
 * One error class per way a pfSense call fails. All carry the method and path; HTTP errors also
 * carry pfSense's own `response_id` and `message`, so an operator reads what the firewall said.
 */

export interface RequestTarget {
  method: string;
  path: string;
}

export class PfSenseError extends Error {
  readonly method: string;
  readonly path: string;

  constructor(target: RequestTarget, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.method = target.method;
    this.path = target.path;
  }
}

/** The firewall answered with a non-2xx status. */
export class PfSenseHttpError extends PfSenseError {
  readonly status: number;
  /** pfSense's `response_id`, e.g. FIELD_IS_REQUIRED; absent when the answer was not the API's JSON. */
  readonly responseId: string | undefined;
  /** pfSense's `message`, or the start of a non-JSON body. */
  readonly serverMessage: string;

  constructor(target: RequestTarget, status: number, responseId: string | undefined, serverMessage: string) {
    const detail = responseId ? `${responseId}: ${serverMessage}` : serverMessage;
    super(target, `pfSense ${target.method} ${target.path} failed with ${status} ${detail}`.trim());
    this.status = status;
    this.responseId = responseId;
    this.serverMessage = serverMessage;
  }
}

/** 401/403: wrong API key, user or token, or the auth method is disabled in the REST API settings. */
export class PfSenseAuthError extends PfSenseHttpError {}

/** 404: no such object, or (HTML body) no such endpoint on this package version. */
export class PfSenseNotFoundError extends PfSenseHttpError {
  /** True when the web server answered, i.e. the endpoint itself does not exist on this firewall. */
  get endpointMissing(): boolean {
    return this.responseId === undefined;
  }
}

/** 400/409/422: the firewall refused the request's content; `responseId` says which rule. */
export class PfSenseValidationError extends PfSenseHttpError {}

/** 5xx: the firewall or its web server failed; for writes the change may or may not have happened. */
export class PfSenseServerError extends PfSenseHttpError {}

/** No answer within the timeout; for writes the change may or may not have happened. */
export class PfSenseTimeoutError extends PfSenseError {}

/** Connection refused, reset, DNS failure or TLS verification failure. */
export class PfSenseNetworkError extends PfSenseError {}

/** The certificate did not match the pinned SHA-256 fingerprint. */
export class PfSenseTlsPinError extends PfSenseNetworkError {}

/** The answer was 2xx but not the shape the REST API documents (a changed API fails here, loudly). */
export class PfSenseResponseError extends PfSenseError {}

export function httpErrorFor(
  target: RequestTarget,
  status: number,
  responseId: string | undefined,
  message: string,
): PfSenseHttpError {
  if (status === 401 || status === 403) return new PfSenseAuthError(target, status, responseId, message);
  if (status === 404) return new PfSenseNotFoundError(target, status, responseId, message);
  if (status >= 500) return new PfSenseServerError(target, status, responseId, message);
  if (status === 400 || status === 409 || status === 422) {
    return new PfSenseValidationError(target, status, responseId, message);
  }
  return new PfSenseHttpError(target, status, responseId, message);
}

/** Errors after which the outcome of a write is unknown: the caller must re-read before retrying. */
export function isIndeterminate(error: unknown): boolean {
  return (
    error instanceof PfSenseServerError ||
    error instanceof PfSenseTimeoutError ||
    error instanceof PfSenseNetworkError
  );
}
