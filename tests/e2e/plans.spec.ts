import { expect, type Page, test } from "@playwright/test";
import { expectNoSidewaysScroll, newUser, register, saveScreenshot } from "./support/helpers";

/** Creates a dashboard through the tabs' "+ New" popover, as a user does. */
async function newDashboard(page: Page, name: string) {
  await page.getByLabel("New dashboard").click();
  await page.getByLabel("Name", { exact: true }).fill(name);
  await page.getByRole("button", { name: "Create dashboard" }).click();
  await expect(page.getByRole("tab", { name })).toHaveAttribute("aria-selected", "true");
}

test("A visitor compares the plans on /pricing and starts free", async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto("/");
  await page.getByRole("banner").getByRole("link", { name: "Pricing" }).click();
  await expect(page).toHaveURL(/\/pricing$/);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Pricing that grows with your machines");
  for (const [name, price] of [
    ["Free", "€0"],
    ["Team", "€19"],
    ["Business", "€79"],
  ]) {
    const card = page.getByRole("article", { name });
    await expect(card.getByRole("heading", { name })).toBeVisible();
    await expect(card.locator(".plan-price strong")).toHaveText(price);
  }
  await expect(page.getByText("VAT included where applicable")).toBeVisible();
  const table = page.getByRole("table");
  await expect(table.getByRole("row", { name: /History kept/ })).toContainText("30 days of history");
  await expect(table.getByRole("row", { name: /History kept/ })).toContainText("2 years of history");
  await expectNoSidewaysScroll(page);
  await saveScreenshot(page, "pricing");
  await page.setViewportSize({ width: 390, height: 800 });
  await expectNoSidewaysScroll(page);
  await page.getByRole("article", { name: "Free" }).getByRole("link", { name: "Start free" }).click();
  await expect(page).toHaveURL(/\/register$/);
  await expect(page.getByRole("link", { name: "see the plans" })).toBeVisible();
});

test("A Free owner sees usage in Settings → Plan & usage, the 80 % banner, and a blocked create button that says why", async ({ page }) => {
  test.setTimeout(90_000);
  await page.setViewportSize({ width: 1280, height: 900 });
  await register(page, newUser("plan"));
  // A new account has its Default dashboard: three more make 4 of the Free plan's 5.
  for (const name of ["Servers", "Databases", "Queues"]) await newDashboard(page, name);
  const banner = page.getByTestId("usage-banner");
  await expect(banner).toContainText("Over 80 % used on the Free plan: dashboards (4 of 5)");

  await banner.getByRole("link", { name: "See plan & usage" }).click();
  await expect(page).toHaveURL(/\/settings\/plan$/);
  await expect(page.getByRole("heading", { name: "Plan & usage" })).toBeVisible();
  const dashboards = page.locator('[data-limit="dashboards"]');
  await expect(dashboards).toContainText("4 of 5");
  await expect(dashboards).toHaveClass(/warn/);
  await expect(page.locator('[data-limit="reports"]')).toContainText("0 of 20");
  await expect(page.locator('[data-limit="members"]')).toContainText("1 of 3");
  await expect(page.locator('[data-limit="apiRequestsPerMinute"]')).toContainText("of 120");
  await expect(page.getByRole("article", { name: "Free" })).toContainText("Your current plan");
  const upgrade = page.getByRole("article", { name: "Team" }).getByRole("link", { name: "Upgrade to Team" });
  await expect(upgrade).toHaveAttribute("href", "/settings/billing?plan=team");
  await expectNoSidewaysScroll(page);
  await saveScreenshot(page, "settings-plan");

  // The fifth dashboard reaches the limit: the banner says so, and "Create dashboard" is disabled with the reason.
  await page.getByRole("link", { name: "Dashboards" }).click();
  await newDashboard(page, "Jobs");
  await expect(banner).toContainText("Plan limit reached on the Free plan: dashboards (5 of 5)");
  await page.getByLabel("New dashboard").click();
  await expect(page.getByRole("button", { name: "Create dashboard" })).toBeDisabled();
  const note = page.getByRole("note").filter({ hasText: "Plan limit reached" });
  await expect(note).toContainText("Plan limit reached: the Free plan allows 5 dashboards.");
  await expect(note.getByRole("link", { name: "Upgrade in Settings → Plan & usage" })).toHaveAttribute("href", "/settings/plan");
  await saveScreenshot(page, "dashboard-limit");
});
