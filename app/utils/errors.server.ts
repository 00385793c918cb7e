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

/**
 * The request's form fields. A body that is not a form (JSON, a broken multipart body) answers
 * 400 instead of failing the action with a 500.
 */
export async function readForm(request: Request): Promise<Record<string, string>> {
  let form: FormData;
  try {
    form = await request.formData();
  } catch {
    throw new Response("The form could not be read.", { status: 400 });
  }
  return formValues(form);
}

/** FormData as a plain object of strings (files are ignored). */
export function formValues(form: FormData): Record<string, string> {
  const values: Record<string, string> = {};
  for (const [key, value] of form) if (typeof value === "string") values[key] = value;
  return values;
}

/**
 * Runs a procedure for a loader; a failed procedure (not found, invalid input…) is thrown as a
 * Response with its HTTP status and message, for the route's ErrorBoundary, instead of a 500.
 */
export async function loaderCall<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (!isTrpcError(error) || error.code === "INTERNAL_SERVER_ERROR") throw error;
    const issue = (error.cause as { issues?: { path: PropertyKey[]; message: string }[] } | undefined)?.issues?.[0];
    const message = issue ? `${issue.path.length ? `${issue.path.map(String).join(".")}: ` : ""}${issue.message}` : error.message;
    throw new Response(message, { status: getHTTPStatusCodeFromError(error), headers: { "Content-Type": "text/plain; charset=utf-8" } });
  }
}
