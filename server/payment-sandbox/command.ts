/** `npm run tw -- payment-sandbox [--port N] [--webhook-url URL]`: the sandbox processor alone, until Ctrl-C. */
import { parseArgs } from "node:util";
import { z } from "zod";
import { UsageError } from "../cli/commands";
import type { Config } from "../config";
import { testCards } from "./cards";
import { SANDBOX_SECRET_KEY } from "./client";
import { sandboxStateFile, startConfiguredPaymentSandbox } from "./index";

export async function runPaymentSandboxCommand(config: Config, args: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({ args, options: { port: { type: "string" }, "webhook-url": { type: "string" } } }));
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const parsed = z
    .object({
      port: z.coerce.number().int().min(0).max(65535).optional(),
      "webhook-url": z
        .string()
        .refine((v) => {
          try {
            return ["http:", "https:"].includes(new URL(v).protocol);
          } catch {
            return false;
          }
        }, "must be an http(s) URL")
        .optional(),
    })
    .safeParse(values);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new UsageError(`--${issue.path.join(".")}: ${issue.message}`);
  }
  const webhookUrl = parsed.data["webhook-url"] ?? `${config.appUrl}/billing/webhook`;
  const sandbox = await startConfiguredPaymentSandbox(config, { port: parsed.data.port, webhookUrl: () => webhookUrl });
  const stateFile = sandboxStateFile(config.dataDir);
  console.log(`Tablewatch payment sandbox running at ${sandbox.url}; webhooks go to ${webhookUrl}; state ${stateFile ? `in ${stateFile}` : "in memory only"}. Ctrl-C stops it.`);
  console.log(`Point the app at it with PAYMENT_PROVIDER=sandbox PAYMENT_SANDBOX_URL=${sandbox.url}. Secret key ${SANDBOX_SECRET_KEY}.`);
  console.log(`Test cards: ${testCards.map((c) => `${c.number} ${c.behaviour.replace("_", " ")}`).join("; ")}.`);
  await new Promise<void>((resolve) => {
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
  await sandbox.close();
  return 0;
}
