import type { NextFunction, Request, Response } from "express";
import { z } from "zod";

/**
 * The public API's envelope: `{success, details?, result?}`; `success` is true exactly when the
 * status is 200. Successful procedures return `ok(...)`; errors are reshaped in `envelopeErrors`.
 */
export function envelope<T extends z.ZodType>(result: T) {
  return z.object({
    success: z.literal(true),
    details: z.object({ next: z.string().nullable().optional() }).optional(),
    result,
  });
}

export function ok<T>(result: T, details?: { next?: string | null }) {
  return details ? { success: true as const, details, result } : { success: true as const, result };
}

/**
 * A boolean in a public API request body. Not z.boolean(): the OpenAPI adapter coerces those
 * (the string "false" would become true), so anything but true or false is refused.
 */
export function jsonBoolean(name: string, description: string) {
  return z
    .custom<boolean>((v) => typeof v === "boolean", { message: `${name} must be true or false` })
    .meta({ description, override: { type: "boolean" } });
}

export type ErrorEnvelope = { success: false; details: { message: string; errorCode: string } };

export function errorEnvelope(status: number, message: string, errorCode?: string): ErrorEnvelope {
  return { success: false, details: { message, errorCode: errorCode ?? `ERROR_${status}` } };
}

export const errorEnvelopeSchema = z.object({
  success: z.literal(false),
  details: z.object({ message: z.string(), errorCode: z.string() }),
});

type TrpcErrorBody = { message?: string; data?: { errorCode?: string }; issues?: { path?: PropertyKey[]; message?: string }[] };

/**
 * The OpenAPI adapter answers input validation errors with only "Input validation failed" and
 * the zod issues beside it: name the parameter and what is wrong with it, as the tRPC answers do.
 */
function validationMessage(body: TrpcErrorBody): string | undefined {
  const issue = body.issues?.[0];
  if (!issue?.message) return undefined;
  const where = issue.path?.length ? `${issue.path.map(String).join(".")}: ` : "";
  return `${where}${issue.message}`;
}

/** Turns the OpenAPI adapter's error body (shaped by server/trpc.ts's errorFormatter) into the envelope. */
export function envelopeErrors(req: Request, res: Response, next: NextFunction) {
  const end = res.end.bind(res) as (...args: unknown[]) => Response;
  res.end = ((chunk?: unknown, ...rest: unknown[]) => {
    if (res.statusCode >= 400 && (typeof chunk === "string" || Buffer.isBuffer(chunk))) {
      let body: TrpcErrorBody | ErrorEnvelope;
      try {
        body = JSON.parse(String(chunk));
      } catch {
        body = {};
      }
      if (!("success" in body)) {
        const status = res.statusCode;
        const message = status >= 500 ? "Internal error" : (validationMessage(body) ?? body.message ?? "Request failed");
        chunk = JSON.stringify(errorEnvelope(status, message, status >= 500 ? undefined : body.data?.errorCode));
      }
    }
    return end(chunk, ...rest);
  }) as Response["end"];
  next();
}

/** Sends an error in the envelope from a plain Express handler (404, 405, body errors). */
export function sendError(res: Response, status: number, message: string, errorCode?: string) {
  res.status(status).json(errorEnvelope(status, message, errorCode));
}
