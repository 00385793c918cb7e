import { expect, test } from "@playwright/test";
import {
  expectNoSidewaysScroll,
  fillLogin,
  logIn,
  logOut,
  newUser,
  register,
  registerThroughForm,
  saveScreenshot,
  DASHBOARD_URL,
} from "./support/helpers";

const DAY = 24 * 60 * 60;

test("a newcomer registers, sees the empty dashboard, logs out and logs in again", async ({ page }) => {
  const user = newUser("newcomer");

  await page.goto("/");
  await expect(page.getByRole("heading", { level: 1 })).toContainText("Whatever your machines print");
  await expectNoSidewaysScroll(page);
  await saveScreenshot(page, "landing");

  await page.getByRole("banner").getByRole("link", { name: "Start free" }).click();
  await expect(page).toHaveURL(/\/register$/);
  await expect(page.getByRole("heading", { name: "Create your account" })).toBeVisible();
  await saveScreenshot(page, "register");

  await registerThroughForm(page, user);
  await expect(page.getByText(`Welcome to Tablewatch, ${user.name}!`)).toBeVisible();
  await expect(page.getByRole("tablist", { name: "Dashboards" })).toBeVisible();
  await expect(page.getByRole("tab", { name: "Default" })).toHaveAttribute("aria-selected", "true");
  const emptyState = page.getByRole("region", { name: /Your dashboard is empty/ });
  await expect(emptyState).toBeVisible();
  await expect(emptyState.locator("pre code")).toContainText(/curl .*\/api\/v1\/reports\//);
  await expect(page.getByRole("banner")).toContainText(user.name);
  await expectNoSidewaysScroll(page);
  await saveScreenshot(page, "dashboard-empty");

  await logOut(page);
  await expect(page.getByRole("heading", { name: "Log in" })).toBeVisible();
  await saveScreenshot(page, "login");

  // Logged out means logged out: the dashboard sends us back to the login page.
  await page.goto("/dashboard");
  await expect(page).toHaveURL(/\/login$/);

  await logIn(page, user);
  await expect(page.getByRole("tab", { name: "Default" })).toBeVisible();
  await expect(page.getByText("Welcome to Tablewatch")).toHaveCount(0);
});

test("remember me keeps the session cookie for 30 days", async ({ page, context }) => {
  const user = newUser("remember");
  await register(page, user);
  await logOut(page);

  await logIn(page, user, { remember: true });
  const [cookie] = (await context.cookies()).filter((c) => c.name === "tw_session");
  expect(cookie, "a tw_session cookie").toBeDefined();
  const now = Date.now() / 1000;
  expect(cookie.expires).toBeGreaterThan(now + 29.9 * DAY);
  expect(cookie.expires).toBeLessThan(now + 30.1 * DAY);
  expect(cookie.httpOnly).toBe(true);
  expect(cookie.sameSite).toBe("Lax");
});

test("without remember me the session cookie ends with the browser session", async ({ page, context }) => {
  const user = newUser("session");
  await register(page, user);
  // Registering logs in with a browser-session cookie too.
  expect((await context.cookies()).find((c) => c.name === "tw_session")?.expires).toBe(-1);
  await logOut(page);

  await logIn(page, user);
  const cookie = (await context.cookies()).find((c) => c.name === "tw_session");
  expect(cookie, "a tw_session cookie").toBeDefined();
  expect(cookie!.expires).toBe(-1);
  expect(cookie!.httpOnly).toBe(true);
});

test("a wrong password shows a clear error", async ({ page }) => {
  const user = newUser("typo");
  await register(page, user);
  await logOut(page);

  await fillLogin(page, user.email, "not the password");
  await expect(page.getByRole("alert")).toHaveText("Wrong email or password.");
  await expect(page).toHaveURL(/\/login$/);
  // The email stays filled in; the right password then works.
  await expect(page.getByLabel("Email", { exact: true })).toHaveValue(user.email);
  await fillLogin(page, user.email, user.password);
  await expect(page).toHaveURL(DASHBOARD_URL);
});

test("registering with an email that is taken explains what to do", async ({ page }) => {
  const user = newUser("taken");
  await register(page, user);
  await logOut(page);

  await page.goto("/register");
  await page.getByLabel("Your name").fill("Someone Else");
  await page.getByLabel("Work email").fill(user.email.toUpperCase());
  await page.getByLabel("Password", { exact: true }).fill("another password 123");
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByRole("alert")).toContainText("An account with this email already exists");
  await expect(page).toHaveURL(/\/register$/);
});

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("the forms still work as plain HTML forms (also before the page's scripts have loaded)", async ({ page }) => {
    const user = newUser("nojs");
    await register(page, user);
    await expect(page.getByRole("tablist", { name: "Dashboards" })).toBeVisible();
    await logOut(page);
    await logIn(page, user);
  });
});
