import type { AppLoadContext } from "@remix-run/node";

/**
 * The newest version of a policy for its public page. A logged-in user who opens it has now seen
 * it: the "We updated our …" banner for this document is not shown again.
 */
export async function policyLoader(context: AppLoadContext, document: "privacy" | "terms") {
  const policy = await context.trpc.policy.current({ document });
  if (context.user) await context.trpc.policy.dismiss({ document });
  return { policy: { ...policy, publishedAt: policy.publishedAt.toISOString() } };
}
