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

/**
 * A plan limit reached: 429 with errorCode ERROR_PLAN_LIMIT and no Retry-After (waiting does not
 * help; upgrading does). The message names the limit, the plan and where to upgrade; transports
 * that know the app's base URL make the link absolute with `messageAt` (server/trpc.ts).
 */
export class PlanLimitError extends ServiceError {
  readonly limitKey: string;
  constructor(
    readonly detail: { limitKey: string; planName: string; allows: string; action: string },
  ) {
    super("TOO_MANY_REQUESTS", planLimitMessage(detail, ""), { errorCode: "ERROR_PLAN_LIMIT" });
    this.limitKey = detail.limitKey;
  }

  /** The message with the link to Settings → Plan & usage under `baseUrl`. */
  messageAt(baseUrl: string): string {
    return planLimitMessage(this.detail, baseUrl);
  }
}

function planLimitMessage(d: { planName: string; allows: string; action: string }, baseUrl: string): string {
  return `Plan limit reached: the ${d.planName} plan allows ${d.allows}. Upgrade in Settings → Plan & usage (${baseUrl}/settings/plan) to ${d.action}.`;
}

/** e.g. planLimitReached("dashboards", "Free", "5 dashboards", "create more"). */
export const planLimitReached = (limitKey: string, planName: string, allows: string, action: string) =>
  new PlanLimitError({ limitKey, planName, allows, action });

/** An API key over its plan's requests per minute: 429, errorCode ERROR_RATE_LIMIT, Retry-After. */
export const rateLimitExceeded = (limit: number, retryAfter: number) =>
  new ServiceError(
    "TOO_MANY_REQUESTS",
    `Rate limit exceeded: this API key may make ${limit} requests per minute on its plan. Retry after ${retryAfter} s, or upgrade the plan for a higher limit.`,
    { errorCode: "ERROR_RATE_LIMIT", retryAfter },
  );
