/**
 * Every failure of the client is a PveError carrying the request (method and path), the HTTP
 * status when there was one, and PVE's own message, so callers can log and decide without
 * parsing strings.
 */
export class PveError extends Error {
  constructor(
    readonly method: string,
    readonly path: string,
    readonly status: number | undefined,
    readonly serverMessage: string | undefined,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

const LOCK_TIMEOUT = /can't lock file .* got timeout/;
const DIGEST_MISMATCH = /detected modified configuration/;

/** PVE answered with an error status. `errors` holds per-parameter messages of a 400. */
export class PveHttpError extends PveError {
  constructor(
    method: string,
    path: string,
    override readonly status: number,
    serverMessage: string,
    readonly errors: Record<string, string> | undefined = undefined,
  ) {
    const detail = errors
      ? `${serverMessage} ${Object.entries(errors)
          .map(([param, message]) => `${param}: ${message.replace(/\n/g, ' ')}`)
          .join('; ')}`
      : serverMessage;
    super(method, path, status, serverMessage, `PVE ${method} ${path}: ${status} ${detail}`);
  }

  /** PVE's transient `can't lock file '/var/lock/qemu-server/lock-100.conf' - got timeout`: nothing was done. */
  get isLockTimeout(): boolean {
    return LOCK_TIMEOUT.test(this.serverMessage ?? '');
  }

  /** The config changed since it was read (digest mismatch): re-read and re-plan. */
  get isDigestMismatch(): boolean {
    return DIGEST_MISMATCH.test(this.serverMessage ?? '');
  }
}

/** 401/403: wrong token, or the token lacks a privilege (see README for the privileges needed). */
export class PveAuthError extends PveHttpError {}

/** No answer in time (a request), or a task still running when waiting gave up. */
export class PveTimeoutError extends PveError {
  constructor(
    method: string,
    path: string,
    readonly timeoutMs: number,
    what = 'request',
  ) {
    super(
      method,
      path,
      undefined,
      undefined,
      `PVE ${method} ${path}: ${what} timed out after ${timeoutMs} ms`,
    );
  }
}

/** The connection failed: refused, reset, DNS, or TLS (untrusted certificate, fingerprint mismatch). */
export class PveNetworkError extends PveError {
  constructor(method: string, path: string, cause: unknown) {
    super(method, path, undefined, undefined, `PVE ${method} ${path}: ${describeCause(cause)}`, { cause });
  }
}

/** PVE answered 200 with data this client does not understand: the API changed under us. */
export class PveResponseError extends PveError {
  constructor(
    method: string,
    path: string,
    readonly issues: string[],
  ) {
    super(method, path, 200, undefined, `PVE ${method} ${path}: unexpected response: ${issues.join('; ')}`);
  }
}

/** A task (UPID) ended with an error; `log` holds the task log's last lines. */
export class PveTaskFailedError extends PveError {
  constructor(
    readonly upid: string,
    readonly exitStatus: string,
    readonly log: string[],
  ) {
    const node = upid.split(':')[1] ?? '';
    super(
      'GET',
      `/nodes/${node}/tasks/${upid}/status`,
      undefined,
      exitStatus,
      `PVE task ${upid} failed: ${exitStatus}`,
    );
  }

  /** The task failed on PVE's config lock: nothing was done and trying again is safe. */
  get isLockTimeout(): boolean {
    return LOCK_TIMEOUT.test(this.exitStatus);
  }
}

function describeCause(cause: unknown): string {
  if (!(cause instanceof Error)) return String(cause);
  const inner = cause.cause instanceof Error ? cause.cause : undefined;
  const code = (inner as { code?: string } | undefined)?.code ?? (cause as { code?: string }).code;
  const message = inner?.message ?? cause.message;
  return code && !message.includes(code) ? `${code} ${message}` : message;
}

/** The client refused to send a request PVE would refuse (e.g. migrating a VM pinned by a local GPU). */
export class PvePreconditionError extends PveError {
  constructor(
    method: string,
    path: string,
    readonly reasons: string[],
  ) {
    super(method, path, undefined, undefined, `PVE ${method} ${path}: ${reasons.join('; ')}`);
  }
}
