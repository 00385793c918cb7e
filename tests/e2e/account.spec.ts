import fs from "node:fs";
import { expect, type Page, test } from "@playwright/test";
import { Secret, TOTP } from "otpauth";
import { createApiKey, dfOutput, pushDf } from "./support/reports";
import { DASHBOARD_URL, fillLogin, logIn, logOut, newUser, register, saveScreenshot as save, waitForMail } from "./support/helpers";

const IPHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1";
const FIREFOX_WINDOWS = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:127.0) Gecko/20100101 Firefox/127.0";

/** What an authenticator app shows for the secret, now. */
const totp = (secret: string) => new TOTP({ secret: Secret.fromBase32(secret), algorithm: "SHA1", digits: 6, period: 30 }).generate();

/** A full-page screenshot from the top of the page (the settings menu is sticky). */
async function saveScreenshot(page: Page, name: string) {
  await page.evaluate(() => window.scrollTo(0, 0));
  await save(page, name);
}

/** A wide, calm viewport for the screenshots. */
async function wide(page: Page) {
  await page.setViewportSize({ width: 1280, height: 900 });
}

test("A user turns on two-factor login and needs a code to log in", async ({ page, browser }) => {
  const user = newUser("twofactor");
  await wide(page);
  await register(page, user);

  // Two more sessions of the same user, from other devices, for the sessions list.
  for (const userAgent of [IPHONE, FIREFOX_WINDOWS]) {
    const context = await browser.newContext({ userAgent });
    await logIn(await context.newPage(), user);
    await context.close();
  }

  await page.goto("/settings/profile");
  await expect(page.getByRole("heading", { name: "Profile", exact: true })).toBeVisible();
  const sessions = page.getByRole("table");
  await expect(sessions.getByRole("row")).toHaveCount(4);
  await expect(sessions.getByText("Safari on iPhone")).toBeVisible();
  await expect(sessions.getByText("Firefox on Windows")).toBeVisible();
  await expect(sessions.getByText("This device")).toBeVisible();

  const twoFactor = page.getByRole("region", { name: /Two-factor login/ });
  await expect(twoFactor.getByText("Off", { exact: true })).toBeVisible();
  await twoFactor.getByRole("button", { name: "Set up two-factor login" }).click();
  await expect(twoFactor.getByRole("img", { name: "QR code to scan with your authenticator app" })).toBeVisible();
  await twoFactor.getByText("Can’t scan it? Enter this key instead").click();
  const secret = (await twoFactor.getByTestId("totp-secret").getAttribute("data-secret"))!;
  expect(secret).toMatch(/^[A-Z2-7]{32}$/);
  await saveScreenshot(page, "profile-two-factor-setup");

  // A wrong code is refused, and the same QR code stays.
  await twoFactor.getByLabel("Code from the app").fill("000000");
  await twoFactor.getByRole("button", { name: "Turn on two-factor login" }).click();
  await expect(twoFactor.getByRole("alert")).toContainText("That code is not right");
  expect(await twoFactor.getByTestId("totp-secret").getAttribute("data-secret")).toBe(secret);

  await twoFactor.getByLabel("Code from the app").fill(totp(secret));
  await twoFactor.getByRole("button", { name: "Turn on two-factor login" }).click();
  await expect(twoFactor.getByText("Two-factor login is on.")).toBeVisible();
  const codes = twoFactor.getByTestId("recovery-codes").getByRole("listitem");
  await expect(codes).toHaveCount(10);
  await expect(twoFactor.getByText("On", { exact: true })).toBeVisible();
  await saveScreenshot(page, "profile-recovery-codes");

  // Shown once: a reload no longer shows them.
  await page.reload();
  await expect(page.getByTestId("recovery-codes")).toHaveCount(0);
  await expect(page.getByText("10 of 10")).toBeVisible();
  await saveScreenshot(page, "profile-sessions-two-factor-on");

  // Logging in now needs the password and then a code.
  await logOut(page);
  await fillLogin(page, user.email, user.password);
  await expect(page).toHaveURL(/\/login\/two-factor$/);
  await expect(page.getByRole("heading", { name: "Two-factor login" })).toBeVisible();
  await page.goto("/settings/profile");
  await expect(page).toHaveURL(/\/login/, { timeout: 5_000 });
  await page.goto("/login/two-factor");
  await saveScreenshot(page, "login-two-factor");
  await page.getByLabel("Authentication code").fill(String((Number(totp(secret)) + 500_000) % 1_000_000).padStart(6, "0"));
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page.getByRole("alert")).toContainText("That code is not right");
  await page.getByLabel("Authentication code").fill(totp(secret));
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page).toHaveURL(DASHBOARD_URL);
  await expect(page.getByRole("tablist", { name: "Dashboards" })).toBeVisible();
});

test("An owner schedules the account's deletion, sees the notice, and cancels it", async ({ page, request }) => {
  const user = { ...newUser("deleter"), name: "Lovelace Labs" };
  await wide(page);
  await register(page, user);

  // Some data, so that the export shows what it will hold.
  await page.goto("/settings/api-keys");
  const key = await createApiKey(page, "web1 cron", "ingest");
  for (const [i, used] of [31_000_000, 31_500_000, 32_250_000].entries()) {
    await pushDf(request, key, dfOutput({ used, use: `${50 + i}%` }), { tags: "host:web1", created: new Date(Date.now() - (3 - i) * 3_600_000).toISOString() });
  }

  await page.goto("/settings/account");
  await expect(page.getByTestId("export-summary")).toContainText("3");
  const card = page.getByRole("region", { name: "Delete the account" });
  await expect(card).toBeVisible();
  await expect(page.getByTestId("export-summary")).toBeVisible();
  await saveScreenshot(page, "account-settings");

  // The name must be typed exactly.
  const confirm = card.getByLabel("Type Lovelace Labs to confirm");
  await confirm.fill("lovelace labs");
  await confirm.press("Enter");
  await expect(card.getByRole("alert")).toContainText("Type the account's name exactly");
  await expect(page.locator(".deletion-banner")).toHaveCount(0);

  await confirm.fill("Lovelace Labs");
  await card.getByRole("button", { name: "Schedule deletion in 14 days" }).click();
  await expect(card.getByText("The deletion is scheduled. Every member was emailed a notice.")).toBeVisible();
  await expect(card.getByTestId("deletion-scheduled")).toContainText("Scheduled for deletion on");
  const banner = page.locator(".deletion-banner");
  await expect(banner).toContainText("Lovelace Labs will be deleted on");
  await saveScreenshot(page, "account-deletion-scheduled");

  const notice = await waitForMail(request, user.email, "Lovelace Labs will be deleted from Tablewatch in 14 days");
  expect(notice.text).toContain("cancel the deletion until then");
  expect(notice.html).toContain("Review or cancel the deletion");

  // The banner is on every page, with the way to cancel.
  await page.goto("/reports");
  await expect(banner).toBeVisible();
  await saveScreenshot(page, "deletion-banner");
  await banner.getByRole("button", { name: "Cancel deletion" }).click();
  await expect(page).toHaveURL(/\/settings\/account$/);
  await expect(page.getByText("The deletion was cancelled. Nothing will be deleted, and every member was told.")).toBeVisible();
  await expect(banner).toHaveCount(0);
  await expect(page.getByRole("region", { name: "Delete the account" }).getByRole("button", { name: "Schedule deletion in 14 days" })).toBeVisible();
  await waitForMail(request, user.email, "Lovelace Labs will not be deleted");
});

test("An owner downloads the account's data as a JSON archive", async ({ page }) => {
  const user = { ...newUser("exporter"), name: "Export Works" };
  await register(page, user);
  await page.goto("/settings/account");
  const downloading = page.waitForEvent("download");
  await page.getByRole("link", { name: "Download JSON archive" }).click();
  const download = await downloading;
  expect(download.suggestedFilename()).toMatch(/^tablewatch-export-works-\d{4}-\d{2}-\d{2}\.json$/);
  const archive = JSON.parse(fs.readFileSync((await download.path())!, "utf8")) as { format: string; account: { name: string }; dashboards: unknown[] };
  expect(archive.format).toBe("tablewatch-account-export");
  expect(archive.account.name).toBe("Export Works");
  expect(archive.dashboards.length).toBeGreaterThan(0);
});
