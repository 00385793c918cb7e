import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import { type APIRequestContext, expect, type Page } from "@playwright/test";

export type TestUser = { name: string; email: string; password: string };

/** A user no other test uses (every run starts from an empty database, but tests share it). */
export function newUser(prefix: string): TestUser {
  return {
    name: "Ada Lovelace",
    email: `${prefix}-${randomBytes(4).toString("hex")}@example.com`,
    password: "correct horse battery staple",
  };
}

/** Fills the register form and waits for the dashboard it leads to. */
export async function registerThroughForm(page: Page, user: TestUser) {
  await page.getByLabel("Your name").fill(user.name);
  await page.getByLabel("Work email").fill(user.email);
  await page.getByLabel("Password", { exact: true }).fill(user.password);
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page).toHaveURL(DASHBOARD_URL);
}

/** Where login and registration land: the account's first dashboard (/dashboard redirects there). */
export const DASHBOARD_URL = /\/dashboards\/[0-9a-f-]{36}(\?|$)/;

export async function register(page: Page, user: TestUser) {
  await page.goto("/register");
  await registerThroughForm(page, user);
}

export async function fillLogin(page: Page, email: string, password: string, opts: { remember?: boolean } = {}) {
  await page.getByLabel("Email", { exact: true }).fill(email);
  await page.getByLabel("Password", { exact: true }).fill(password);
  if (opts.remember) await page.getByLabel("Remember me for 30 days").check();
  await page.getByRole("button", { name: "Log in" }).click();
}

/** Logs in at /login and waits for the dashboard. */
export async function logIn(page: Page, user: TestUser, opts: { remember?: boolean } = {}) {
  await page.goto("/login");
  await fillLogin(page, user.email, user.password, opts);
  await expect(page).toHaveURL(DASHBOARD_URL);
  await expect(page.getByRole("tablist", { name: "Dashboards" })).toBeVisible();
}

export async function logOut(page: Page) {
  await page.getByRole("button", { name: "Log out" }).click();
  await expect(page).toHaveURL(/\/login$/);
}

export type CaughtMail = { id: number; to: string; subject: string; html: string; text: string; createdAt: string };

/** The newest caught mail to `to` with `subject` (mail can be sent in the background, so this polls). */
export async function waitForMail(request: APIRequestContext, to: string, subject: string): Promise<CaughtMail> {
  let found: CaughtMail | undefined;
  await expect
    .poll(
      async () => {
        const response = await request.get("/dev/mail/messages.json");
        expect(response.ok()).toBe(true);
        const mails = (await response.json()) as CaughtMail[];
        found = mails.find((m) => m.to === to && m.subject === subject);
        return Boolean(found);
      },
      { message: `an email "${subject}" to ${to}`, timeout: 10_000 },
    )
    .toBe(true);
  return found!;
}

/** The first link to `path` (with its token) in the mail's plain text. */
export function linkInMail(mail: CaughtMail, path: string): string {
  const match = mail.text.match(new RegExp(`https?://[^\\s\\]\\)>"]+${path}\\?token=[^\\s\\]\\)>"]+`));
  if (!match) throw new Error(`No ${path} link in the mail "${mail.subject}":\n${mail.text}`);
  return match[0];
}

const screenshotDir = fileURLToPath(new URL("../../artifacts/screenshots/", import.meta.url));

/** A full-page PNG in tests/artifacts/screenshots/, for looking at the pages as a person would. */
export async function saveScreenshot(page: Page, name: string) {
  await page.screenshot({ path: `${screenshotDir}${name}.png`, fullPage: true });
}

/** The page fits its viewport: nothing (a long command, a table) pushes it into sideways scrolling. */
export async function expectNoSidewaysScroll(page: Page) {
  const { scrollWidth, innerWidth } = await page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
  }));
  expect(scrollWidth, "page width").toBeLessThanOrEqual(innerWidth);
}
