import { expect, test } from "@playwright/test";
import { fillLogin, linkInMail, logIn, logOut, newUser, register, saveScreenshot, waitForMail, DASHBOARD_URL } from "./support/helpers";

const RESET_SUBJECT = "Reset your Tablewatch password";

test("a user who forgot the password resets it through the emailed link", async ({ page, request }) => {
  const user = newUser("forgetful");
  const newPassword = "a brand new passphrase";
  await register(page, user);
  await logOut(page);

  await page.getByRole("link", { name: "Forgot your password?" }).click();
  await expect(page).toHaveURL(/\/forgot-password$/);
  await page.getByLabel("Email").fill(user.email);
  await page.getByRole("button", { name: "Send reset link" }).click();
  await expect(page.getByRole("heading", { name: "Check your inbox" })).toBeVisible();
  await expect(page.getByText(user.email)).toBeVisible();

  const mail = await waitForMail(request, user.email, RESET_SUBJECT);
  const link = linkInMail(mail, "/reset-password");
  expect(link).toMatch(/^http:\/\/localhost:\d+\/reset-password\?token=/);
  expect(new URL(link).origin).toBe(new URL(page.url()).origin);

  await page.goto(link);
  await expect(page.getByRole("heading", { name: "Choose a new password" })).toBeVisible();
  await page.getByLabel("New password", { exact: true }).fill(newPassword);
  await page.getByLabel("Repeat the new password").fill(newPassword);
  await page.getByRole("button", { name: "Set new password" }).click();
  await expect(page).toHaveURL(/\/dashboards\/[0-9a-f-]{36}\?reset=1$/);
  await expect(page.getByText("Your password was changed.")).toBeVisible();
  await logOut(page);

  // The old password no longer works, the new one does.
  await fillLogin(page, user.email, user.password);
  await expect(page.getByRole("alert")).toHaveText("Wrong email or password.");
  await logIn(page, { ...user, password: newPassword });

  // The link works once.
  await logOut(page);
  await page.goto(link);
  await expect(page.getByRole("heading", { name: "This link has expired" })).toBeVisible();
});

test("the new password must be typed the same twice", async ({ page, request }) => {
  const user = newUser("mismatch");
  await register(page, user);
  await logOut(page);

  await page.goto("/forgot-password");
  await page.getByLabel("Email").fill(user.email);
  await page.getByRole("button", { name: "Send reset link" }).click();
  await expect(page.getByRole("heading", { name: "Check your inbox" })).toBeVisible();
  const link = linkInMail(await waitForMail(request, user.email, RESET_SUBJECT), "/reset-password");

  await page.goto(link);
  await page.getByLabel("New password", { exact: true }).fill("first version 123");
  await page.getByLabel("Repeat the new password").fill("second version 123");
  await page.getByRole("button", { name: "Set new password" }).click();
  await expect(page.getByText("The two passwords differ")).toBeVisible();
  await expect(page).toHaveURL(/\/reset-password\?token=/);
});

test("the mailbox page /dev/mail lists the caught message", async ({ page, request }) => {
  const user = newUser("mailbox");
  await register(page, user);
  await logOut(page);
  await page.goto("/forgot-password");
  await page.getByLabel("Email").fill(user.email);
  await page.getByRole("button", { name: "Send reset link" }).click();
  await expect(page.getByRole("heading", { name: "Check your inbox" })).toBeVisible();
  const mail = await waitForMail(request, user.email, RESET_SUBJECT);

  await page.goto("/dev/mail");
  const row = page.getByRole("row").filter({ hasText: user.email }).filter({ hasText: RESET_SUBJECT });
  await expect(row).toHaveCount(1);
  // Newest first: the reset mail comes before the confirmation mail sent at registration.
  await expect(page.getByRole("row").nth(1)).toContainText(RESET_SUBJECT);
  await saveScreenshot(page, "dev-mail");

  await row.getByRole("link", { name: RESET_SUBJECT }).click();
  await expect(page).toHaveURL(new RegExp(`/dev/mail/${mail.id}$`));
  await expect(page.getByRole("heading", { name: RESET_SUBJECT })).toBeVisible();
  await expect(page.locator("pre")).toContainText("/reset-password?token=");
  await expect(page.frameLocator("iframe").getByRole("link", { name: "Choose a new password" })).toBeVisible();
});

test("the confirmation email link confirms the address and the banner disappears", async ({ page, request }) => {
  const user = newUser("confirm");
  await register(page, user);
  const banner = page.getByRole("status").filter({ hasText: "Please confirm" });
  await expect(banner).toContainText(user.email);

  const mail = await waitForMail(request, user.email, "Confirm your email address for Tablewatch");
  await page.goto(linkInMail(mail, "/confirm-email"));
  await expect(page.getByRole("heading", { name: "Email confirmed" })).toBeVisible();
  await expect(page.getByText(user.email)).toBeVisible();

  await page.getByRole("link", { name: "Go to your dashboard" }).click();
  await expect(page).toHaveURL(DASHBOARD_URL);
  await expect(page.getByRole("tablist", { name: "Dashboards" })).toBeVisible();
  await expect(banner).toHaveCount(0);

  // A second use of the same link does not work.
  await page.goto(linkInMail(mail, "/confirm-email"));
  await expect(page.getByRole("heading", { name: "This link does not work" })).toBeVisible();
});

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("the reset link and form work as plain HTML (also before the page's scripts have loaded)", async ({ page, request }) => {
    const user = newUser("nojs-reset");
    await register(page, user);
    await logOut(page);

    await page.goto("/forgot-password");
    await page.getByLabel("Email").fill(user.email);
    await page.getByRole("button", { name: "Send reset link" }).click();
    await expect(page.getByRole("heading", { name: "Check your inbox" })).toBeVisible();

    await page.goto(linkInMail(await waitForMail(request, user.email, RESET_SUBJECT), "/reset-password"));
    await page.getByLabel("New password", { exact: true }).fill("plain html password");
    await page.getByLabel("Repeat the new password").fill("plain html password");
    await page.getByRole("button", { name: "Set new password" }).click();
    await expect(page).toHaveURL(/\/dashboards\/[0-9a-f-]{36}\?reset=1$/);
    await expect(page.getByText("Your password was changed.")).toBeVisible();
  });
});
