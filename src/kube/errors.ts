// Errors from the API arrive in several shapes: ApiException (`code`), the
// Watch's fetch failure (`statusCode`), our raw requests (`statusCode`), and
// metav1.Status objects in watch ERROR events (`code`). Normalise them here.

export class KubeApiError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
    readonly reason?: string,
  ) {
    super(message);
    this.name = 'KubeApiError';
  }
}

export class TimeoutError extends Error {
  constructor(what: string, ms: number) {
    super(`${what} timed out after ${ms} ms`);
    this.name = 'TimeoutError';
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/** HTTP status carried by an API error or a metav1.Status, if any. */
export function statusCodeOf(err: unknown): number | undefined {
  if (!isRecord(err)) return undefined;
  for (const field of ['statusCode', 'code']) {
    const v = err[field];
    if (typeof v === 'number') return v;
  }
  return undefined;
}

/** metav1.Status reason (e.g. "Expired", "Conflict") when the error carries one. */
export function reasonOf(err: unknown): string | undefined {
  if (!isRecord(err)) return undefined;
  if (typeof err.reason === 'string') return err.reason;
  let body = err.body;
  if (typeof body === 'string') {
    try {
      body = JSON.parse(body) as unknown;
    } catch {
      return undefined;
    }
  }
  return isRecord(body) && typeof body.reason === 'string' ? body.reason : undefined;
}

/** The API server's own words (metav1.Status message) when the error carries them, else the error's message. */
export function statusMessageOf(err: unknown): string {
  if (isRecord(err)) {
    let body = err.body;
    if (typeof body === 'string') {
      try {
        body = JSON.parse(body) as unknown;
      } catch {
        /* not JSON: fall through */
      }
    }
    if (isRecord(body) && typeof body.message === 'string') return body.message;
  }
  return errorMessage(err);
}

export const isNotFound = (err: unknown): boolean => statusCodeOf(err) === 404;
export const isConflict = (err: unknown): boolean => statusCodeOf(err) === 409;
export const isAlreadyExists = (err: unknown): boolean => statusCodeOf(err) === 409 && reasonOf(err) === 'AlreadyExists';

/** 410 Gone: the requested resourceVersion was compacted away; only a relist recovers. */
export const isGone = (err: unknown): boolean => statusCodeOf(err) === 410;

const RETRYABLE_STATUS: ReadonlySet<number> = new Set([429, 500, 502, 503, 504]);

/**
 * Worth the same request again after a pause: no answer at all (a reset connection, a
 * deadline) or an API server that is busy or briefly down. Not a refusal of the request.
 */
export const isTransient = (err: unknown): boolean => {
  const code = statusCodeOf(err);
  return code === undefined || RETRYABLE_STATUS.has(code);
};

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  if (isRecord(err) && typeof err.message === 'string') return err.message;
  return String(err);
}

/** Race a promise against a deadline; the loser is left to settle on its own. */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimeoutError(what, ms)), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

/**
 * How a watch ERROR event (a metav1.Status) should be handled. 410/Expired means
 * our resourceVersion fell out of the server's history; "too large resource
 * version" means the server (e.g. after an etcd restore or behind a lagging
 * cache) has not reached it. client-go relists in both cases.
 */
export function watchErrorNeedsRelist(status: unknown): boolean {
  if (isGone(status)) return true;
  const reason = reasonOf(status);
  if (reason === 'Expired' || reason === 'Gone') return true;
  const msg = errorMessage(status).toLowerCase();
  return msg.includes('too old resource version') || msg.includes('too large resource version');
}
