/**
 * Typed errors thrown by services. Transports map them in one place each:
 * tRPC in server/trpc.ts, the public API envelope in server/api/envelope.ts.
 */
export const errorKinds = {
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNPROCESSABLE_CONTENT: 422,
  TOO_MANY_REQUESTS: 429,
} as const;

export type ErrorKind = keyof typeof errorKinds;

export class ServiceError extends Error {
  readonly kind: ErrorKind;
  /** Public API `errorCode`; `ERROR_<status>` unless more specific. */
  readonly errorCode: string;
  /** Seconds after which a retry may succeed (rate limits). */
  readonly retryAfter?: number;

  constructor(kind: ErrorKind, message: string, opts: { errorCode?: string; retryAfter?: number } = {}) {
    super(message);
    this.name = "ServiceError";
    this.kind = kind;
    this.errorCode = opts.errorCode ?? `ERROR_${errorKinds[kind]}`;
    this.retryAfter = opts.retryAfter;
  }

  get status(): number {
    return errorKinds[this.kind];
  }
}

export const badRequest = (message: string, errorCode?: string) => new ServiceError("BAD_REQUEST", message, { errorCode });
export const unauthorized = (message: string) => new ServiceError("UNAUTHORIZED", message);
export const forbidden = (message: string) => new ServiceError("FORBIDDEN", message);
export const notFound = (message: string) => new ServiceError("NOT_FOUND", message);
export const conflict = (message: string) => new ServiceError("CONFLICT", message);
export const tooManyRequests = (message: string, retryAfter: number) =>
  new ServiceError("TOO_MANY_REQUESTS", message, { retryAfter });
