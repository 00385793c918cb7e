import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { expect, type Page, type Request, test } from "@playwright/test";
import postgres from "postgres";
import { pdfText } from "../helpers/pdf";
import { newUser, register, saveScreenshot } from "./support/helpers";

/**
 * Settings → Billing in a browser, against the app and its sandbox payment processor (ADR 24):
 * an owner adds invoice data and a card, upgrades, sees the plan change and downloads the
 * invoice; a declining card gets a clear error. The Privacy Policy's promise is checked on the
 * way: every request the page sends to OUR server is recorded, and none — nor any line of the
 * server's log, nor any row of the database — holds a test card number.
 */

const CARDS = ["4242 4242 4242 4242", "4000 0000 0000 0002", "4242 4242 4242 4241"];
/** Every spelling a leak could take: with spaces, without, URL-encoded. */
const spellings = CARDS.flatMap((n) => [n, n.replace(/ /g, ""), encodeURIComponent(n), n.replace(/ /g, "+"), n.replace(/ /g, "-")]);
const leaks = (text: string) => spellings.filter((s) => text.includes(s));

type Sent = { url: string; method: string; body: string };
const toOurServer: Sent[] = [];
const toProcessor: Sent[] = [];

/** Records every request the page makes: ours (the app's origin) and the processor's. */
function recordRequests(page: Page, baseURL: string) {
  const ours = new URL(baseURL).origin;
  page.on("request", (request: Request) => {
    const sent = { url: request.url(), method: request.method(), body: request.postDataBuffer()?.toString("utf8") ?? "" };
    const origin = new URL(sent.url).origin;
    if (origin === ours) toOurServer.push(sent);
    else toProcessor.push(sent);
  });
}

async function fillCard(page: Page, number: string) {
  const form = page.getByRole("region", { name: /Add a card|Replace the card/ });
  // Enabled once the processor's script has loaded.
  await expect(form.getByRole("button", { name: /Save card|Replace card/ })).toBeEnabled({ timeout: 15_000 });
  await form.getByLabel("Card number").fill(number);
  await form.getByLabel("Expiry month").fill("12");
  await form.getByLabel("Expiry year").fill(String((new Date().getUTCFullYear() + 3) % 100));
  await form.getByLabel("CVC").fill("123");
  await form.getByLabel("Name on the card").fill("Ada Lovelace");
  await form.getByRole("button", { name: /Save card|Replace card/ }).click();
}

test.describe.serial("billing", () => {
  test("an owner enters invoice data, upgrades with the sandbox test card, sees the plan change and downloads the invoice PDF", async ({ page, baseURL }) => {
    recordRequests(page, baseURL!);
    const owner = { ...newUser("billing-owner"), name: "Ada Lovelace" };
    await register(page, owner);

    // Billing starts on Free, with what is missing before a paid plan.
    await page.goto("/settings/billing");
    await expect(page.getByTestId("plan-in-effect")).toHaveText("Free");
    await expect(page.getByText("Add a card and your invoice data")).toBeVisible();

    // Invoice data (Settings → Billing → Invoice data).
    await page.getByRole("navigation", { name: "Billing" }).getByRole("link", { name: "Invoice data" }).click();
    await page.getByLabel("Company name").fill("Analytical Engines Ltd");
    await page.getByLabel("Address", { exact: true }).fill("12 St James's Square");
    await page.getByLabel("Postal code").fill("SW1Y 4JH");
    await page.getByLabel("City").fill("London");
    await page.getByLabel("Country").selectOption("GB");
    await page.getByRole("button", { name: "Save invoice data" }).click();
    await expect(page.getByRole("status")).toBeVisible();

    // The card goes to the processor; the page says it needs JavaScript only when it has none.
    await page.getByRole("navigation", { name: "Billing" }).getByRole("link", { name: "Credit card details" }).click();
    await expect(page.getByRole("heading", { name: "Sandbox test cards" })).toBeVisible();
    for (const input of await page.locator("[data-securionpay]").all()) expect(await input.getAttribute("name")).toBeNull();
    await fillCard(page, "4242 4242 4242 4242");
    await expect(page.getByRole("status")).toContainText("Card saved: the card ending in 4242");
    await expect(page.getByTestId("card-on-file")).toContainText("4242");
    await saveScreenshot(page, "billing-card");

    // The plan picker: Upgrade to Team, confirm the amount charged now.
    await page.getByRole("navigation", { name: "Billing" }).getByRole("link", { name: "Overview" }).click();
    await page.getByTestId("plan-team").getByRole("link", { name: "Upgrade to Team" }).click();
    const confirm = page.getByRole("region", { name: "Subscribe to Team" });
    await expect(confirm).toBeVisible();
    const amount = (await confirm.getByTestId("charge-now").textContent())!;
    expect(amount).toMatch(/^€\d+\.\d\d$/);
    await saveScreenshot(page, "billing-confirm");
    await confirm.getByRole("button", { name: `Pay ${amount} and subscribe` }).click();
    await expect(page.getByRole("status")).toContainText("Welcome to Team!");
    await expect(page.getByTestId("plan-in-effect")).toHaveText("Team");
    await expect(page.getByText(/Renews on .* for €/)).toBeVisible();
    const payment = page.getByTestId("payment-row");
    await expect(payment).toHaveCount(1);
    await expect(payment).toContainText(amount);
    await expect(payment).toContainText("Paid");
    await saveScreenshot(page, "billing-overview");

    // An upgrade to Business states the prorated amount before anything is charged.
    await page.getByTestId("plan-business").getByRole("link", { name: "Upgrade to Business" }).click();
    const upgrade = page.getByRole("region", { name: "Upgrade to Business" });
    await expect(upgrade.getByTestId("change-summary")).toContainText("is charged now");
    await expect(upgrade.getByText(/× \d+\/\d+ days left in this period/)).toBeVisible();
    await saveScreenshot(page, "billing-upgrade-confirm");
    await upgrade.getByRole("link", { name: "Not now" }).click();
    await expect(upgrade).toBeHidden();
    await expect(page).toHaveURL(/\/settings\/billing$/);

    // The invoice appears, with a PDF that says what was bought.
    await page.getByRole("navigation", { name: "Billing" }).getByRole("link", { name: "Invoices" }).click();
    await expect(page).toHaveURL(/\/settings\/billing\/invoices$/);
    const row = page.getByTestId("invoice-row");
    await expect(async () => {
      await page.reload();
      await expect(row.getByRole("link", { name: "Download PDF" })).toBeVisible({ timeout: 1000 });
    }).toPass({ timeout: 15_000 });
    const number = (await row.locator(".inv-number").textContent())!.trim();
    await expect(row).toContainText(amount);
    const download = await Promise.all([page.waitForEvent("download"), row.getByRole("link", { name: "Download PDF" }).click()]).then(([d]) => d);
    const file = await download.path();
    const { text } = await pdfText(fs.readFileSync(file!));
    expect(text).toContain(number);
    expect(text).toContain("Team");
    expect(text).toContain(amount.replace("€", ""));
    expect(text).toContain("Analytical Engines Ltd");
  });

  test("a declining card (4000 0000 0000 0002) shows a clear error and saves nothing", async ({ page, baseURL }) => {
    recordRequests(page, baseURL!);
    await register(page, newUser("billing-declined"));
    await page.goto("/settings/billing/card");
    await fillCard(page, "4000 0000 0000 0002");
    await expect(page.getByTestId("card-error")).toHaveText("Your card was declined.");
    await expect(page.getByText("No card yet. Add one to choose a paid plan.")).toBeVisible();
    await saveScreenshot(page, "billing-card-declined");
    // An invalid number is refused by the processor's form before anything reaches us.
    const before = toOurServer.length;
    await fillCard(page, "4242 4242 4242 4241");
    await expect(page.getByTestId("card-error")).toContainText("not a valid card number");
    expect(toOurServer.slice(before).filter((r) => r.method === "POST")).toEqual([]);
  });

  test("no request to our server, no line of its log and no database row holds a card number", async () => {
    // The recording works: the numbers did go out, to the processor only.
    expect(toProcessor.some((r) => leaks(r.body).length > 0)).toBe(true);
    expect(toOurServer.length).toBeGreaterThan(10);
    expect(toOurServer.some((r) => r.method === "POST" && /token=tok_/.test(r.body))).toBe(true);
    for (const r of toOurServer) expect(leaks(`${r.url}\n${r.body}`), `${r.method} ${r.url}`).toEqual([]);

    const dataDir = process.env.TW_E2E_DATA_DIR!;
    const log = fs.readFileSync(path.join(dataDir, "server.log"), "utf8");
    // Every request is a line of the log (LOG_REQUESTS=true), the card form's post included.
    expect(log).toMatch(/POST \/settings\/billing\/card/);
    expect(leaks(log)).toEqual([]);

    const dump = await dumpDatabase(dataDir);
    expect(dump.rows).toBeGreaterThan(50);
    expect(dump.text).toContain("4242");
    expect(leaks(dump.text)).toEqual([]);
    // And the files themselves (the embedded database's pages and write-ahead log, the sandbox's state).
    for (const file of filesUnder(dataDir)) expect(leaks(fs.readFileSync(file).toString("latin1")), file).toEqual([]);
  });
});

/** Every table of the e2e database as text, row by row (PostgreSQL directly; PGlite from a copy of its folder). */
async function dumpDatabase(dataDir: string): Promise<{ text: string; rows: number }> {
  const databaseUrl = process.env.TW_E2E_DATABASE_URL;
  const tablesSql = "select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE'";
  const rowsSql = (table: string) => `select t::text as row from "${table.replace(/"/g, '""')}" t`;
  const lines: string[] = [];
  if (databaseUrl) {
    const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
    try {
      for (const { table_name } of await sql.unsafe<{ table_name: string }[]>(tablesSql)) {
        for (const { row } of await sql.unsafe<{ row: string }[]>(rowsSql(table_name))) lines.push(`${table_name}: ${row}`);
      }
    } finally {
      await sql.end({ timeout: 5 });
    }
  } else {
    const out = execFileSync(process.execPath, [fileURLToPath(new URL("./support/dump-pglite.mjs", import.meta.url)), dataDir], { encoding: "utf8", maxBuffer: 512 * 1024 * 1024 });
    for (const line of out.split("\n").filter(Boolean)) {
      const [table, row] = JSON.parse(line) as [string, string];
      lines.push(`${table}: ${row}`);
    }
  }
  return { text: lines.join("\n"), rows: lines.length };
}

/** The regular files under a folder (sockets and the like skipped). */
function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...filesUnder(full));
    else if (entry.isFile()) out.push(full);
  }
  return out;
}
