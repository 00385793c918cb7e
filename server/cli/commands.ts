import { parseArgs } from "node:util";
import { z } from "zod";
import type { Db } from "../../db/client";
import { apiKeyScopes } from "../../db/schema";
import { defaultAccountId } from "../account/service";
import { createApiKey } from "../api-key/service";
import { setAdmin } from "../admin/service";
import { createUser, findUserIdByEmail } from "../auth/service";
import { ServiceError } from "../errors";
import { changeAccountPlan } from "../plan/service";
import { emailInput, newPasswordInput } from "../trpc/routers/auth";

export class UsageError extends Error {}

export const usage = `Usage: npm run tw -- <command> [options]

Commands:
  migrate                                   apply database migrations
  create-user --email E --password P [--name N] [--admin]
                                            create a user and an account owned by them
  create-api-key --email E [--name N] [--scope ingest|read|full]
                                            create an API key for the user's account; prints it once
  make-admin --email E [--revoke]           let an existing user open /admin (or, with --revoke, no longer)
  set-plan --email E --plan CODE            put the user's account on a plan (free, team, business, …) without
                                            billing; a smaller plan starts the 30-day grace period
  worker                                    run an alarm worker alone (evaluations, no-data checks,
                                            notifications) until Ctrl-C; needs DATABASE_URL when the
                                            app runs, since the app runs one in-process
  payment-sandbox [--port N] [--webhook-url URL]
                                            run the sandbox payment processor alone until Ctrl-C
                                            (the app starts one itself unless PAYMENT_SANDBOX_URL is set)
  help                                      show this help`;

function parse<T extends z.ZodType>(schema: T, values: unknown): z.infer<T> {
  const parsed = schema.safeParse(values);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new UsageError(`--${issue.path.join(".")}: ${issue.message}`);
  }
  return parsed.data;
}

/**
 * Runs one operator command against `db` and returns what to print. The same function runs in
 * the CLI process, or inside the running app when the CLI hands the command over (server/cli/control.ts).
 */
export async function runCommand(db: Db, argv: string[], opts: { appUrl: string }): Promise<string> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case "migrate":
        return "Migrations are applied.";
      case "create-user": {
        const { values } = parseArgs({
          args: rest,
          options: { email: { type: "string" }, password: { type: "string" }, name: { type: "string" }, admin: { type: "boolean" } },
        });
        const input = parse(
          z.object({ email: emailInput, password: newPasswordInput, name: z.string().trim().min(1).max(100).optional(), admin: z.boolean().optional() }),
          values,
        );
        const { userId, accountId } = await createUser(db, {
          email: input.email,
          password: input.password,
          name: input.name ?? input.email.split("@")[0]!,
          isAdmin: input.admin,
        });
        return `Created user ${input.email} (${userId})${input.admin ? " as an admin" : ""} with account ${accountId}.`;
      }
      case "make-admin": {
        const { values } = parseArgs({ args: rest, options: { email: { type: "string" }, revoke: { type: "boolean" } } });
        const input = parse(z.object({ email: emailInput, revoke: z.boolean().optional() }), values);
        const user = await setAdmin(db, { email: input.email, isAdmin: !input.revoke });
        if (!user) throw new UsageError(`No user with the email ${input.email}.`);
        return input.revoke ? `${user.email} is no longer an admin.` : `${user.email} is now an admin: ${opts.appUrl}/admin`;
      }
      case "set-plan": {
        const { values } = parseArgs({ args: rest, options: { email: { type: "string" }, plan: { type: "string" } } });
        const input = parse(z.object({ email: emailInput, plan: z.string().trim().min(1).max(50) }), values);
        const userId = await findUserIdByEmail(db, input.email);
        if (!userId) throw new UsageError(`No user with the email ${input.email}.`);
        const accountId = await defaultAccountId(db, userId);
        if (!accountId) throw new UsageError(`${input.email} is not a member of any account.`);
        const change = await changeAccountPlan(db, accountId, input.plan);
        const grace = change.graceUntil ? ` Data over its limits stays read-only until ${change.graceUntil.toISOString()}.` : "";
        return `The account of ${input.email} is now on the ${change.plan.name} plan (was ${change.previous.name}).${grace}`;
      }
      case "create-api-key": {
        const { values } = parseArgs({
          args: rest,
          options: { email: { type: "string" }, name: { type: "string" }, scope: { type: "string" } },
        });
        const input = parse(
          z.object({
            email: emailInput,
            name: z.string().trim().min(1).max(100).default("CLI key"),
            scope: z.enum(apiKeyScopes).default("full"),
          }),
          values,
        );
        const userId = await findUserIdByEmail(db, input.email);
        if (!userId) throw new UsageError(`No user with the email ${input.email}.`);
        const accountId = await defaultAccountId(db, userId);
        if (!accountId) throw new UsageError(`${input.email} is not a member of any account.`);
        const { key, apiKey } = await createApiKey(db, { accountId, name: input.name, scope: input.scope, createdBy: userId });
        return `Created API key "${apiKey.name}" (scope ${apiKey.scope}). It is shown only this once:\n\n  ${key}\n\nTry it: curl --user ${key}: ${opts.appUrl}/api/v1/account`;
      }
      case "worker":
      case "payment-sandbox":
        throw new UsageError(`"${command}" runs on its own: npm run tw -- ${command}`);
      case undefined:
      case "help":
      case "--help":
        return usage;
      default:
        throw new UsageError(`Unknown command "${command}".\n\n${usage}`);
    }
  } catch (error) {
    if (error instanceof ServiceError) throw new UsageError(error.message);
    if (error instanceof TypeError && "code" in error && String(error.code).startsWith("ERR_PARSE_ARGS")) {
      throw new UsageError(`${error.message}\n\n${usage}`);
    }
    throw error;
  }
}
