import { execFileSync } from "node:child_process";
import { type Browser, expect, type Page, test } from "@playwright/test";
import { type CaughtMail, DASHBOARD_URL, expectNoSidewaysScroll, newUser, register, saveScreenshot, waitForMail } from "./support/helpers";
import { createApiKey } from "./support/reports";

/**
 * `npm run tw -- set-plan` against the e2e server's database: this story invites more people than
 * the Free plan's 3 members (pending invitations included) allow (ADR 25).
 */
function setPlan(email: string, plan: string) {
  execFileSync(process.execPath, ["--import", "tsx", "server/cli.ts", "set-plan", "--email", email, "--plan", plan], {
    encoding: "utf8",
    env: { ...process.env, DATA_DIR: process.env.TW_E2E_DATA_DIR ?? "", DATABASE_URL: process.env.TW_E2E_DATABASE_URL ?? "", SMTP_URL: "", LOG_REQUESTS: "false" },
  });
}

/** The invitation link in a caught mail's plain text. */
function invitationLink(mail: CaughtMail): string {
  const match = mail.text.match(/https?:\/\/[^\s\])>"]+\/invite\/twi_[A-Za-z0-9_-]+/);
  if (!match) throw new Error(`No invitation link in "${mail.subject}":\n${mail.text}`);
  return match[0];
}

async function openSettings(page: Page, tab: "Team" | "Activity" | "API keys") {
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Settings" }).click();
  await page.getByRole("navigation", { name: "Settings" }).getByRole("link", { name: tab }).click();
  await expect(page).toHaveURL(new RegExp(`/settings/${tab.toLowerCase().replace(" ", "-")}$`));
}

async function invite(page: Page, email: string, role: "Viewer" | "Editor" | "Admin") {
  await page.getByLabel("Email").fill(email);
  await page.getByRole("radio", { name: new RegExp(`^${role}`) }).check();
  await page.getByRole("button", { name: "Send invitation" }).click();
  await expect(page.getByRole("status")).toContainText(`Invitation sent to ${email}, as ${role.toLowerCase()}.`);
  // The page has reloaded its data: the invitation is listed, the form ready for the next one.
  await expect(page.getByRole("region", { name: /Pending invitations/ }).getByRole("row", { name: new RegExp(email) })).toBeVisible();
  await expect(page.getByRole("button", { name: "Send invitation" })).toBeEnabled();
}

/** A fresh browser (no cookies shared with the owner's) on `url`. */
async function freshPage(browser: Browser, url: string): Promise<Page> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(url);
  return page;
}

test("an owner invites a viewer, who accepts and sees the dashboards but not the API keys", async ({ page, browser, request }) => {
  const owner = { ...newUser("team-owner"), name: "Olga Owner" };
  const invitee = { ...newUser("team-viewer"), name: "Vera Viewer" };
  await register(page, owner);
  setPlan(owner.email, "team");

  // The owner invites by email, with the viewer role.
  await openSettings(page, "Team");
  await expect(page.getByRole("heading", { name: "Team", exact: true })).toBeVisible();
  await expect(page.getByRole("row", { name: /Olga Owner/ })).toContainText("you");
  await invite(page, invitee.email, "Viewer");
  const pending = page.getByRole("region", { name: /Pending invitations/ });
  await expect(pending.getByRole("row", { name: new RegExp(invitee.email) })).toContainText("Viewer");

  // The mail is caught locally; its link opens in a browser that has never logged in.
  const mail = await waitForMail(request, invitee.email, "Olga Owner invited you to Olga Owner on Tablewatch");
  expect(mail.text).toContain("as a viewer");
  const link = invitationLink(mail);
  const member = await freshPage(browser, link);
  await expect(member.getByRole("heading", { name: "Join Olga Owner" })).toBeVisible();
  await expect(member.getByText(`Olga Owner invited ${invitee.email}`)).toBeVisible();
  await expect(member.getByLabel("Email")).toHaveValue(invitee.email);
  await saveScreenshot(member, "invitation-accept");
  await member.getByLabel("Your name").fill(invitee.name);
  await member.getByLabel("Password", { exact: true }).fill(invitee.password);
  await member.getByRole("button", { name: "Create login and join" }).click();

  // The member lands on the account's dashboards, as a viewer.
  await expect(member).toHaveURL(DASHBOARD_URL);
  await expect(member.getByRole("tablist", { name: "Dashboards" })).toBeVisible();
  await expect(member.getByRole("banner")).toContainText("Olga Owner · viewer");
  await expect(member.getByRole("banner")).toContainText(invitee.name);

  // A viewer sees no API keys: a locked state, not the list.
  await openSettings(member, "API keys");
  await expect(member.getByRole("heading", { name: "Only editors, admins and owners can see API keys" })).toBeVisible();
  await expect(member.getByRole("button", { name: "Create key" })).toHaveCount(0);
  // Nor the activity log.
  await member.getByRole("navigation", { name: "Settings" }).getByRole("link", { name: "Activity" }).click();
  await expect(member.getByRole("heading", { name: "Only admins and owners can see the activity log" })).toBeVisible();

  // The link worked once.
  await member.goto(link);
  await expect(member.getByRole("heading", { name: "This invitation was already used" })).toBeVisible();

  // The owner sees the new member, and makes them an editor.
  await page.reload();
  const row = page.getByRole("row", { name: new RegExp(invitee.name) });
  await expect(row).toContainText(invitee.email);
  await expect(pending.getByRole("row", { name: new RegExp(invitee.email) })).toHaveCount(0);
  await row.getByLabel(`Role of ${invitee.name}`).selectOption("editor");
  await expect(page.getByRole("status")).toHaveText(`${invitee.name} is now an editor.`);
  await expect(page.getByLabel(`Role of ${invitee.name}`)).toHaveValue("editor");

  // As an editor, the member now sees the keys, but may not create any.
  await member.goto("/settings/api-keys");
  await expect(member.getByRole("heading", { name: "API keys", exact: true })).toBeVisible();
  await expect(member.getByText("only admins and owners create and revoke them")).toBeVisible();
  await expect(member.getByRole("button", { name: "Create key" })).toHaveCount(0);

  // A second, pending invitation, for the screenshot of a team page in use.
  await invite(page, newUser("team-later").email, "Editor");
  await expect(page.getByText("Every account keeps at least one owner")).toBeVisible();
  await expectNoSidewaysScroll(page);
  await saveScreenshot(page, "settings-team");

  // The owner removes the member, who loses access at once.
  await page.getByRole("row", { name: new RegExp(invitee.name) }).getByRole("button", { name: "Remove" }).click();
  const dialog = page.getByRole("dialog", { name: `Remove ${invitee.name}?` });
  await expect(dialog).toContainText("loses access");
  await dialog.getByRole("button", { name: "Remove member" }).click();
  await expect(page.getByRole("status")).toContainText(`${invitee.name} (${invitee.email}) was removed`);
  await expect(page.getByRole("row", { name: new RegExp(invitee.name) })).toHaveCount(0);
  await member.goto("/dashboard");
  await expect(member).toHaveURL(/\/login$/);

  // A key for a machine, made and revoked, is on record too.
  await openSettings(page, "API keys");
  await createApiKey(page, "web1 cron", "ingest");
  await page.getByRole("row", { name: /web1 cron/ }).getByRole("button", { name: "Revoke" }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Revoke key" }).click();
  await expect(page.getByRole("status")).toContainText("“web1 cron” was revoked");

  // Settings → Activity tells the story, newest first.
  await openSettings(page, "Activity");
  await expect(page.getByRole("heading", { name: "Activity", exact: true })).toBeVisible();
  const activity = page.getByRole("table");
  await expect(activity.getByRole("row").nth(1)).toContainText("revoked the API key “web1 cron”");
  await expect(activity.getByRole("row").nth(2)).toContainText("created the API key “web1 cron” (ingest scope)");
  await expect(activity.getByRole("row").nth(3)).toContainText(`removed ${invitee.email} (editor) from the account`);
  await expect(activity).toContainText(`changed the role of ${invitee.email} from viewer to editor`);
  await expect(activity).toContainText("joined the account as viewer");
  await expect(activity).toContainText(`invited ${invitee.email} as viewer`);
  await expectNoSidewaysScroll(page);
  await saveScreenshot(page, "settings-activity");
  await member.context().close();
});

test("a user of two accounts switches between them in the header", async ({ page, browser, request }) => {
  const owner = { ...newUser("switch-owner"), name: "Sigrid Shop" };
  const other = { ...newUser("switch-member"), name: "Mo Multi" };
  await register(page, owner);
  await openSettings(page, "Team");
  await invite(page, other.email, "Editor");
  const link = invitationLink(await waitForMail(request, other.email, "Sigrid Shop invited you to Sigrid Shop on Tablewatch"));

  // The invitee already has a login (and an account of their own): they log in, then accept.
  const member = await freshPage(browser, "/register");
  await member.getByLabel("Your name").fill(other.name);
  await member.getByLabel("Work email").fill(other.email);
  await member.getByLabel("Password", { exact: true }).fill(other.password);
  await member.getByRole("button", { name: "Create account" }).click();
  await expect(member).toHaveURL(DASHBOARD_URL);
  await member.getByRole("button", { name: "Log out" }).click();
  await member.goto(link);
  await expect(member.getByText("You already have a Tablewatch login")).toBeVisible();
  await member.getByRole("link", { name: "Log in to accept" }).click();
  await member.getByLabel("Email", { exact: true }).fill(other.email);
  await member.getByLabel("Password", { exact: true }).fill(other.password);
  await member.getByRole("button", { name: "Log in" }).click();
  await expect(member.getByRole("heading", { name: "Join Sigrid Shop" })).toBeVisible();
  await member.getByRole("button", { name: "Accept and join Sigrid Shop" }).click();
  await expect(member).toHaveURL(DASHBOARD_URL);

  // The header names the current account; its menu lists both and switches.
  const banner = member.getByRole("banner");
  await member.getByLabel(/^Account: Sigrid Shop \(editor\)/).click();
  const menu = member.getByRole("menu", { name: "Your accounts" });
  await expect(menu).toBeVisible();
  await expect(menu.getByRole("menuitem", { name: /^Sigrid Shop/ })).toBeDisabled();
  await saveScreenshot(member, "account-switcher");
  await menu.getByRole("menuitem", { name: /^Mo Multi/ }).click();
  await expect(member).toHaveURL(DASHBOARD_URL);
  await expect(banner).toContainText("Mo Multi · owner");
  await member.goto("/settings/team");
  await expect(member.getByRole("row", { name: /Sigrid Shop/ })).toHaveCount(0);
  await member.context().close();
});
