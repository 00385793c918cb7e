/**
 * The configured payment processor (ADR 22): SecurionPay with the configured keys, or the local
 * sandbox processor (server/payment-sandbox) through the same adapter with the sandbox's keys.
 */
import type { Config } from "../../config";
import { SANDBOX_PUBLIC_KEY, SANDBOX_SCRIPT_PATH, SANDBOX_SECRET_KEY } from "../../payment-sandbox/client";
import { createSecurionPayProvider } from "./securionpay";
import type { PaymentProvider } from "./types";

/**
 * `sandboxUrl`: the sandbox the app started (server/boot.ts); else config.payment.sandboxUrl,
 * else http://localhost:<sandboxPort>.
 */
export function createPaymentProvider(config: Config, opts: { sandboxUrl?: string } = {}): PaymentProvider {
  if (config.payment.provider === "securionpay") {
    const sp = config.payment.securionpay;
    if (!sp.secretKey || !sp.publicKey) throw new Error("SECURIONPAY_SECRET_KEY and SECURIONPAY_PUBLIC_KEY are required when PAYMENT_PROVIDER=securionpay.");
    return createSecurionPayProvider({
      name: "securionpay",
      apiUrl: sp.apiUrl,
      secretKey: sp.secretKey,
      publicKey: sp.publicKey,
      scriptUrl: sp.scriptUrl,
      library: "securionpay",
    });
  }
  const sandboxUrl = (opts.sandboxUrl ?? config.payment.sandboxUrl ?? `http://localhost:${config.payment.sandboxPort}`).replace(/\/+$/, "");
  return createSecurionPayProvider({
    name: "sandbox",
    apiUrl: sandboxUrl,
    secretKey: SANDBOX_SECRET_KEY,
    publicKey: SANDBOX_PUBLIC_KEY,
    scriptUrl: `${sandboxUrl}${SANDBOX_SCRIPT_PATH}`,
    library: "sandbox",
    origins: [new URL(sandboxUrl).origin],
  });
}
