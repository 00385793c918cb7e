import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { defineConfig, devices } from "@playwright/test";

/**
 * Browser tests against the real server (`npx tsx server/index.ts`, which serves the Remix build:
 * run `npm run build` first). Every run gets its own free port, a fresh embedded PGlite database
 * in a temporary folder, and caught mail at /dev/mail. With TEST_DATABASE_URL set, the app uses
 * a fresh PostgreSQL database `tw_e2e_<random>` on that server instead, dropped after the run.
 *
 * The config is loaded by the runner and again by each worker: the runner picks the port, folder
 * and database once and hands them to the workers through the environment.
 */

const chromiumPath = process.env.CHROMIUM_PATH || "/usr/bin/chromium";

/** Runs a small CommonJS script synchronously (the config must be ready when it is loaded). */
function node(script: string, env: Record<string, string> = {}): string {
  return execFileSync(process.execPath, ["-e", script], {
    encoding: "utf8",
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "inherit"],
  }).trim();
}

const freePort = () =>
  Number(node(`const s = require("net").createServer().listen(0, () => { console.log(s.address().port); s.close(); });`));

/**
 * Creates or drops the database named in the URL, connected to its server's `postgres` database.
 * The name is ours (tw_e2e_<hex>), so quoting it is enough.
 */
const manageDatabase = (action: "create" | "drop", databaseUrl: string) =>
  node(
    `const postgres = require("postgres");
     const url = new URL(process.env.TW_E2E_DB_URL);
     const name = decodeURIComponent(url.pathname.slice(1));
     url.pathname = "/postgres";
     const sql = postgres(url.href, { max: 1, onnotice: () => {} });
     const statement = process.env.TW_E2E_DB_ACTION === "create"
       ? 'create database "' + name + '"'
       : 'drop database if exists "' + name + '" with (force)';
     sql.unsafe(statement).then(
       () => sql.end(),
       async (error) => { console.error(error.message); await sql.end(); process.exit(1); },
     );`,
    { TW_E2E_DB_URL: databaseUrl, TW_E2E_DB_ACTION: action },
  );

if (!process.env.TW_E2E_PORT) {
  // First load (the runner process): choose this run's server, and clean up when the runner exits,
  // which is after Playwright has stopped the web server.
  const port = freePort();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "tw-e2e-"));
  process.env.TW_E2E_PORT = String(port);
  process.env.TW_E2E_DATA_DIR = dataDir;
  let databaseUrl = "";
  if (process.env.TEST_DATABASE_URL) {
    const url = new URL(process.env.TEST_DATABASE_URL);
    url.pathname = `/tw_e2e_${randomBytes(6).toString("hex")}`;
    databaseUrl = url.href;
    manageDatabase("create", databaseUrl);
    process.env.TW_E2E_DATABASE_URL = databaseUrl;
  }
  process.on("exit", () => {
    fs.rmSync(dataDir, { recursive: true, force: true });
    if (databaseUrl) {
      try {
        manageDatabase("drop", databaseUrl);
      } catch {
        console.error(`Could not drop the e2e database ${databaseUrl}`);
      }
    }
  });
}

const port = Number(process.env.TW_E2E_PORT);
const baseURL = `http://localhost:${port}`;

export default defineConfig({
  testDir: "tests/e2e",
  outputDir: "tests/artifacts/test-results",
  reporter: "list",
  workers: 1,
  fullyParallel: false,
  forbidOnly: Boolean(process.env.CI),
  retries: 0,
  timeout: 30_000,
  expect: { timeout: 5_000 },
  use: {
    ...devices["Desktop Chrome"],
    baseURL,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    launchOptions: {
      executablePath: chromiumPath,
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
      ],
    },
  },
  webServer: {
    command: "npx tsx server/index.ts",
    url: `${baseURL}/`,
    timeout: 60_000,
    reuseExistingServer: false,
    // SIGTERM lets the server close its database and release the data folder's lock.
    gracefulShutdown: { signal: "SIGTERM", timeout: 10_000 },
    // The request lines (LOG_REQUESTS) go to <data dir>/server.log only; errors still show (stderr).
    stdout: "ignore",
    stderr: "pipe",
    env: {
      NODE_ENV: "test",
      PORT: String(port),
      APP_URL: baseURL,
      DATA_DIR: process.env.TW_E2E_DATA_DIR ?? "",
      // Empty means "embedded PGlite": never fall through to a DATABASE_URL or SMTP_URL of the shell.
      DATABASE_URL: process.env.TW_E2E_DATABASE_URL ?? "",
      SMTP_URL: "",
      TRUST_PROXY: "false",
      // One line per request in the server's log (read by billing.spec.ts's card-number check).
      LOG_REQUESTS: "true",
      // The sandbox payment processor the app starts listens on any free port (ADR 22).
      PAYMENT_SANDBOX_PORT: "0",
      // A copy of the server's output in <data dir>/server.log, for tests that read the log (billing.spec.ts).
      NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ""} --import=./tests/e2e/support/server-log.mjs`.trim(),
      TW_SERVER_LOG: path.join(process.env.TW_E2E_DATA_DIR ?? os.tmpdir(), "server.log"),
    },
  },
});
