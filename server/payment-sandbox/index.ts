/**
 * Starting the sandbox processor for the app (server/boot.ts) or alone (`npm run tw --
 * payment-sandbox`, server/cli.ts). ADR 22.
 */
import path from "node:path";
import type { Config } from "../config";
import { type PaymentSandbox, startPaymentSandbox } from "./server";

export { advancePaymentSandbox, SANDBOX_PUBLIC_KEY, SANDBOX_SECRET_KEY } from "./client";
export type { PaymentSandbox } from "./server";

/** `<DATA_DIR>/payment-sandbox.json`, or null (memory only) for `memory://`. */
export function sandboxStateFile(dataDir: string): string | null {
  return dataDir.startsWith("memory://") ? null : path.join(dataDir, "payment-sandbox.json");
}

/**
 * Starts a sandbox on `port` that calls `webhookUrl()` (read at each delivery, so tests may set
 * config.appUrl after the start) with each event. A taken port is named in the error.
 */
export async function startConfiguredPaymentSandbox(
  config: Config,
  opts: { port?: number; webhookUrl?: () => string | undefined } = {},
): Promise<PaymentSandbox> {
  const port = opts.port ?? config.payment.sandboxPort;
  try {
    return await startPaymentSandbox({
      port,
      // In production the sandbox (fixed, published keys) is reachable from this machine only.
      host: config.nodeEnv === "production" ? "127.0.0.1" : undefined,
      stateFile: sandboxStateFile(config.dataDir),
      webhookUrl: opts.webhookUrl ?? (() => `${config.appUrl}/billing/webhook`),
    });
  } catch (error) {
    if (error instanceof Error && "code" in error && error.code === "EADDRINUSE") {
      throw new Error(
        `The payment sandbox cannot listen on port ${port}: it is in use. Set PAYMENT_SANDBOX_PORT to another port (0: any free one), or PAYMENT_SANDBOX_URL to use a sandbox that is already running.`,
      );
    }
    throw error;
  }
}
