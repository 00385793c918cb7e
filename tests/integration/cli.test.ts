import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { after, before, describe, it } from "node:test";
import { eq } from "drizzle-orm";
import { users } from "../../db/schema";
import { runCommand, UsageError } from "../../server/cli/commands";
import { ConfigError, loadConfig } from "../../server/config";
import { uuidv7 } from "../../server/tokens";
import { startTestApp, type TestApp, uniqueEmail } from "../helpers/app";

let app: TestApp;
before(async () => {
  app = await startTestApp();
});
after(() => app?.stop());

const tw = (...argv: string[]) => runCommand(app.db, argv, { appUrl: app.url });

/** The UsageError a command fails with. */
async function usageError(...argv: string[]): Promise<string> {
  try {
    await tw(...argv);
  } catch (error) {
    assert.ok(error instanceof UsageError, `expected a UsageError, got ${String(error)}`);
    return error.message;
  }
  assert.fail(`tw ${argv.join(" ")} did not fail`);
}

const keyIn = (output: string) => {
  const key = /tw_live_[A-Za-z0-9_-]+/.exec(output)?.[0];
  assert.ok(key, `no key in: ${output}`);
  return key;
};

describe("tw create-user", () => {
  it("creates a user who can log in, owning a new account", async () => {
    const email = uniqueEmail("cli");
    const output = await tw("create-user", "--email", email, "--password", "cli password 1", "--name", "Cli Carla");
    assert.match(output, new RegExp(`^Created user ${email.replace(/[.+]/g, "\\$&")} \\([0-9a-f-]{36}\\) with account [0-9a-f-]{36}\\.$`));

    const res = await app.postForm("/login", { email, password: "cli password 1" });
    assert.equal(res.status, 302);
    const [user] = await app.db.select().from(users).where(eq(users.email, email));
    assert.equal(user?.name, "Cli Carla");
    assert.equal(user?.isAdmin, false);
  });

  it("names the user after the email when no name is given, and --admin makes an operator", async () => {
    const email = uniqueEmail("boss");
    assert.match(await tw("create-user", "--email", email, "--password", "admin password", "--admin"), /as an admin/);
    const [user] = await app.db.select().from(users).where(eq(users.email, email));
    assert.equal(user?.isAdmin, true);
    assert.equal(user?.name, email.split("@")[0]);
  });

  it("refuses a bad email, naming the option", async () => {
    assert.equal(await usageError("create-user", "--email", "not-an-email", "--password", "long enough"), "--email: Enter a valid email address");
  });

  it("refuses a short or missing password, naming the option", async () => {
    assert.match(await usageError("create-user", "--email", uniqueEmail(), "--password", "short"), /^--password: Use at least 8 characters/);
    assert.match(await usageError("create-user", "--email", uniqueEmail()), /^--password: /);
  });

  it("refuses an email that is already registered", async () => {
    const { email } = await app.createUser();
    assert.match(await usageError("create-user", "--email", email.toUpperCase(), "--password", "long enough"), /already exists/);
  });
});

describe("tw create-api-key", () => {
  it("prints a working key once, for the user's account, with a curl example", async () => {
    const user = await app.createUser({ name: "Keyed Org" });
    const output = await tw("create-api-key", "--email", user.email, "--name", "nightly");
    assert.match(output, /Created API key "nightly" \(scope full\)/);
    const key = keyIn(output);
    assert.ok(output.includes(`curl --user ${key}: ${app.url}/api/v1/account`));

    const res = await app.request("/api/v1/account", { headers: { authorization: `Basic ${Buffer.from(`${key}:`).toString("base64")}` }, origin: null });
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { success: true, result: { name: "Keyed Org", plan: "free" } });
  });

  it("--scope ingest makes a key that may not read", async () => {
    const user = await app.createUser();
    const key = keyIn(await tw("create-api-key", "--email", user.email, "--scope", "ingest"));
    const res = await app.request(`/api/v1/account?key=${key}`, { origin: null });
    assert.equal(res.status, 403);
  });

  it("refuses an unknown user", async () => {
    const email = uniqueEmail("nobody");
    assert.equal(await usageError("create-api-key", "--email", email), `No user with the email ${email}.`);
  });

  it("refuses a user who belongs to no account", async () => {
    const email = uniqueEmail("loner");
    await app.db.insert(users).values({ id: uuidv7(), email, name: "Loner", passwordHash: "x" });
    assert.equal(await usageError("create-api-key", "--email", email), `${email} is not a member of any account.`);
  });

  it("refuses an unknown scope and a bad email, naming the option", async () => {
    const user = await app.createUser();
    assert.match(await usageError("create-api-key", "--email", user.email, "--scope", "admin"), /^--scope: /);
    assert.match(await usageError("create-api-key", "--email", "@@"), /^--email: /);
  });
});

describe("tw, other commands", () => {
  it("an unknown command or option is a usage error that shows the usage", async () => {
    assert.match(await usageError("frobnicate"), /Unknown command "frobnicate"[\s\S]*Usage:/);
    assert.match(await usageError("create-user", "--bogus", "x"), /bogus[\s\S]*Usage:/);
  });

  it("help and no command print the usage", async () => {
    for (const argv of [["help"], []]) {
      const output = await tw(...argv);
      assert.match(output, /create-user/);
      assert.match(output, /create-api-key/);
    }
  });

  it("migrate reports that migrations are applied", async () => {
    assert.equal(await tw("migrate"), "Migrations are applied.");
  });
});

describe("configuration", () => {
  it("a bad environment variable is refused, naming it", () => {
    for (const [name, value] of [
      ["PORT", "abc"],
      ["PORT", "70000"],
      ["DATABASE_URL", "mysql://x"],
      ["APP_URL", "ftp://example.test"],
      ["SMTP_URL", "http://mail.example.test"],
      ["TRUST_PROXY", "maybe"],
    ] as const) {
      assert.throws(
        () => loadConfig({ [name]: value }),
        (error: Error) => error instanceof ConfigError && error.message.includes(`${name}:`),
        `${name}=${value}`,
      );
    }
  });

  it("the CLI stops on a bad environment variable with exit code 1, naming it and nothing else", () => {
    const root = fileURLToPath(new URL("../..", import.meta.url));
    const result = spawnSync(process.execPath, ["--import", "tsx", "server/cli.ts", "help"], {
      cwd: root,
      env: { ...process.env, NODE_TEST_CONTEXT: undefined, PORT: "abc", DATABASE_URL: "mysql://x" },
      encoding: "utf8",
      timeout: 60_000,
    });
    assert.equal(result.status, 1, result.stderr);
    assert.match(result.stderr, /PORT:/);
    assert.match(result.stderr, /DATABASE_URL: must be a PostgreSQL URL/);
    assert.doesNotMatch(result.stderr, /\n\s+at /, "no stack trace");
  });
});
