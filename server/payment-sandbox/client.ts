/**
 * What the app and tests need to talk to the sandbox processor (server/payment-sandbox/server.ts)
 * besides the SecurionPay-shaped API itself: its fixed test keys and its simulated clock.
 */

/** The sandbox's fixed keys (test-mode style, like SecurionPay's pk_test_/sk_test_). */
export const SANDBOX_PUBLIC_KEY = "pk_test_sandbox";
export const SANDBOX_SECRET_KEY = "sk_test_sandbox";

/** Path of the card-form script, the sandbox's stand-in for securionpay.js. */
export const SANDBOX_SCRIPT_PATH = "/v1/sandbox.js";

export type AdvanceResult = {
  /** The sandbox's clock after the move (Unix seconds). */
  now: number;
  renewals: { subscriptionId: string; chargeId: string | null; status: "succeeded" | "failed" }[];
  /** Subscriptions that ended (cancelled at period end). */
  ended: string[];
  /** Events created by the move, in order; with `wait` (the default) already delivered (or given up). */
  events: string[];
};

const auth = `Basic ${Buffer.from(`${SANDBOX_SECRET_KEY}:`).toString("base64")}`;

/**
 * Moves the sandbox's clock forward by `days`, or to the end of a subscription's current period,
 * renews the subscriptions that fell due (charging them, sending CHARGE_SUCCEEDED/CHARGE_FAILED),
 * and, unless `wait: false`, answers once their webhooks were delivered.
 */
export async function advancePaymentSandbox(
  sandboxUrl: string,
  input: { days?: number; subscriptionId?: string; wait?: boolean },
): Promise<AdvanceResult> {
  const res = await fetch(`${sandboxUrl}/v1/sandbox/advance`, {
    method: "POST",
    headers: { authorization: auth, "content-type": "application/json" },
    body: JSON.stringify(input),
    signal: AbortSignal.timeout(60_000),
  });
  const body = (await res.json()) as AdvanceResult & { error?: { message: string } };
  if (!res.ok) throw new Error(`The payment sandbox refused to advance: ${body.error?.message ?? res.status}`);
  return body;
}
