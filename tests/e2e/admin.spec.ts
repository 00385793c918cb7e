/**
 * The operators' side (issue 8): an admin publishes a new Privacy Policy version; a user receives
 * the email; /privacy shows the new "Last modified" date; the user sees the banner once. Then a
 * look around the admin area (screenshots in tests/artifacts/screenshots/admin-*.png).
 */
import { execFileSync } from "node:child_process";
import { type APIRequestContext, expect, type Page, test } from "@playwright/test";
import { basicAuth } from "./support/reports";
import { logIn, logOut, newUser, register, saveScreenshot, waitForMail } from "./support/helpers";

/** `npm run tw -- <args>` against the e2e server's database (handed to the running app with PGlite). */
function tw(...args: string[]): string {
  return execFileSync(process.execPath, ["--import", "tsx", "server/cli.ts", ...args], {
    encoding: "utf8",
    env: {
      ...process.env,
      DATA_DIR: process.env.TW_E2E_DATA_DIR ?? "",
      DATABASE_URL: process.env.TW_E2E_DATABASE_URL ?? "",
      SMTP_URL: "",
      LOG_REQUESTS: "false",
    },
  });
}

const today = () => new Date().toLocaleDateString("en-GB", { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" });

async function openAdmin(page: Page, section: string) {
  await page.getByRole("navigation", { name: "Admin" }).getByRole("link", { name: section, exact: true }).click();
  await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
}

test("an admin publishes a new Privacy Policy version; a user gets the email, sees the new date and the banner once", async ({ page, request, browser }) => {
  test.setTimeout(120_000);
  // A user who registered before the change (through the form, which links the policies).
  const user = newUser("reader");
  await page.goto("/register");
  await expect(page.getByRole("link", { name: "Terms of Service" }).first()).toBeVisible();
  await expect(page.getByRole("link", { name: "Privacy Policy" }).first()).toBeVisible();
  await register(page, user);
  await logOut(page);

  // The admin: made with the CLI, as operators do.
  const admin = newUser("operator");
  expect(tw("create-user", "--email", admin.email, "--password", admin.password, "--name", "Otto Operator", "--admin")).toMatch(/as an admin/);

  // Before: the current version and its date.
  await page.goto("/privacy");
  const before = await page.getByTestId("policy-last-modified").textContent();
  const currentVersion = Number(/Version (\d+)/.exec(before ?? "")?.[1]);
  expect(currentVersion).toBeGreaterThanOrEqual(1);
  const next = currentVersion + 1;

  await logIn(page, admin);
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Admin" }).click();
  await expect(page).toHaveURL(/\/admin\/policies$/);
  await expect(page.getByRole("heading", { name: "Policies", level: 1 })).toBeVisible();

  // Draft the next version: the preview follows the Markdown as it is typed.
  const editor = page.getByLabel("Markdown");
  const text = await editor.inputValue();
  await editor.fill(`${text}\n## Retention of the access log\n\nFrom now on the access log is kept for **14 days**.\n`);
  await expect(page.getByTestId("policy-preview").getByRole("heading", { name: "Retention of the access log" })).toBeVisible();
  const summary = "We now keep the access log for 14 days instead of 30.";
  await page.getByLabel("What changed").fill(summary);
  await page.getByRole("button", { name: `Publish version ${next}…` }).click();
  const dialog = page.getByRole("dialog", { name: `Publish version ${next} of the Privacy Policy?` });
  await expect(dialog).toContainText("users are emailed the summary");
  await dialog.getByRole("button", { name: "Publish and email everyone" }).click();
  await expect(page.getByRole("status").filter({ hasText: `Version ${next} of the Privacy Policy is published` })).toBeVisible();

  // Live progress until every email is handled (the page polls by itself).
  const row = page.getByRole("row").filter({ hasText: `v${next}` });
  await expect(row).toContainText(summary);
  await expect(row.getByTestId(`broadcast-v${next}-remaining`)).toHaveText("0", { timeout: 60_000 });
  await expect(row.getByTestId(`broadcast-v${next}-failed`)).toHaveText("0");
  const sent = Number(await row.getByTestId(`broadcast-v${next}-sent`).textContent().then((t) => t?.replace(/,/g, "")));
  expect(sent).toBeGreaterThanOrEqual(2);
  await saveScreenshot(page, "admin-policies");

  // The user's email: the summary and the link.
  const mail = await waitForMail(request, user.email, "We updated our Privacy Policy");
  expect(mail.text).toContain(summary);
  expect(mail.text).toMatch(/http:\/\/localhost:\d+\/privacy/);

  // /privacy: the new text and Last modified date, for everyone.
  const visitor = await browser.newContext();
  const visitorPage = await visitor.newPage();
  await visitorPage.goto("/privacy");
  await expect(visitorPage.getByTestId("policy-last-modified")).toHaveText(`Last modified ${today()} · Version ${next}`);
  await expect(visitorPage.getByRole("heading", { name: "Retention of the access log" })).toBeVisible();
  await visitorPage.setViewportSize({ width: 1280, height: 900 });
  await saveScreenshot(visitorPage, "privacy");
  await visitor.close();

  // The admin area, looked around (and photographed).
  await pushSomeData(request, admin.email);
  for (const [section, name] of [
    ["Access log", "admin-access-log"],
    ["Accounts", "admin-accounts"],
    ["Usage", "admin-usage"],
    ["Emails", "admin-emails"],
  ] as const) {
    await openAdmin(page, section);
    await saveScreenshot(page, name);
  }
  await openAdmin(page, "Accounts");
  await page.getByRole("link", { name: "Otto Operator" }).first().click();
  await expect(page.getByRole("heading", { name: "Usage, last 30 days" })).toBeVisible();
  await saveScreenshot(page, "admin-account");
  await page.getByRole("button", { name: "Log out" }).click();

  // The user, at the next login: the banner, once.
  await logIn(page, user);
  const banner = page.getByRole("status", { name: "Policy update" });
  await expect(banner).toContainText(`We updated our Privacy Policy on ${today()}.`);
  await saveScreenshot(page, "policy-banner");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Reports" }).click();
  await expect(banner).toBeVisible();
  await banner.getByRole("button", { name: "Close the policy update notice" }).click();
  await expect(banner).toHaveCount(0);
  await page.reload();
  await expect(page.getByRole("heading", { name: "Reports", level: 1 })).toBeVisible();
  await expect(banner).toHaveCount(0);
  await logOut(page);
  await logIn(page, user);
  await expect(page.getByRole("navigation", { name: "Main" })).toBeVisible();
  await expect(banner).toHaveCount(0);
  // Only admins see the admin area: for the user, /admin is a page that does not exist.
  await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Admin" })).toHaveCount(0);
  const response = await page.goto("/admin/policies");
  expect(response?.status()).toBe(404);
  await expect(page.getByRole("heading", { name: "Page not found" })).toBeVisible();
});

/** A key of the admin's own account and a few pushes, so access log, accounts and usage show something. */
async function pushSomeData(request: APIRequestContext, email: string) {
  const output = tw("create-api-key", "--email", email, "--name", "e2e pushes", "--scope", "full");
  const key = /tw_live_\S+/.exec(output)?.[0];
  expect(key).toBeTruthy();
  for (let i = 0; i < 5; i++) {
    const res = await request.post("/api/v1/reports/queue_length?tags=host:web1", { headers: { Authorization: basicAuth(key!) }, data: String(40 + i) });
    expect(res.status()).toBe(200);
  }
  expect((await request.get("/api/v1/reports/missing/instances", { headers: { Authorization: basicAuth(key!) } })).status()).toBe(404);
  expect((await request.get("/api/v1/reports", { headers: { Authorization: "Bearer tw_live_wrong" } })).status()).toBe(401);
}
