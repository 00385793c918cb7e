import { data } from "@remix-run/node";
import { getHTTPStatusCodeFromError } from "@trpc/server/http";
import type { TRPCError } from "@trpc/server";

export type FormErrors = { message: string; fieldErrors: Record<string, string> };

function isTrpcError(error: unknown): error is TRPCError {
  return error instanceof Error && error.name === "TRPCError";
}

/**
 * Runs a procedure for an action; a failed procedure becomes the form's error (with the
 * procedure's HTTP status), anything else is rethrown.
 */
export async function formAction<T>(run: () => Promise<T>) {
  try {
    return { ok: true as const, value: await run() };
  } catch (error) {
    if (!isTrpcError(error) || error.code === "INTERNAL_SERVER_ERROR") throw error;
    const zodIssues = (error.cause as { issues?: { path: PropertyKey[]; message: string }[] } | undefined)?.issues;
    const fieldErrors: Record<string, string> = {};
    for (const issue of zodIssues ?? []) fieldErrors[String(issue.path[0] ?? "")] ??= issue.message;
    const message = zodIssues?.length ? "Please correct the highlighted fields." : error.message;
    return {
      ok: false as const,
      response: data({ errors: { message, fieldErrors } satisfies FormErrors }, { status: getHTTPStatusCodeFromError(error) }),
    };
  }
}

/** FormData as a plain object of strings (files are ignored). */
export function formValues(form: FormData): Record<string, string> {
  const values: Record<string, string> = {};
  for (const [key, value] of form) if (typeof value === "string") values[key] = value;
  return values;
}
