import { fileURLToPath } from "node:url";
import { type APIRequestContext, expect, type Page, test } from "@playwright/test";
import { expectNoSidewaysScroll, newUser, register, saveScreenshot } from "./support/helpers";
import { basicAuth, createApiKey, dfOutput, openApiKeys } from "./support/reports";

/** A push as `curl --user KEY: --data-binary @- URL` makes it. */
async function push(request: APIRequestContext, key: string, report: string, body: string, query: Record<string, string> = {}) {
  const response = await request.post(`/api/v1/reports/${report}?${new URLSearchParams(query)}`, {
    headers: { Authorization: basicAuth(key), "Content-Type": "application/x-www-form-urlencoded" },
    data: body,
  });
  expect(response.status(), await response.text()).toBe(200);
}

async function importDashboard(request: APIRequestContext, key: string, model: unknown): Promise<string> {
  const response = await request.post("/api/v1/dashboards", { headers: { Authorization: basicAuth(key) }, data: model });
  expect(response.status(), await response.text()).toBe(200);
  return ((await response.json()) as { result: { id: string } }).result.id;
}

const useSeries = (mount: string, name?: string) => ({ column: 4, filterColumn: 5, op: "equals", value: mount, ...(name ? { name } : {}) });
const tile = (page: Page, title: string | RegExp) => page.getByTestId("tile").filter({ has: page.getByRole("heading", { name: title }) });

test("An owner shares a dashboard; a visitor sees its live tiles; after revoking, the visitor gets 404", async ({ page, context, browser, request, baseURL }) => {
  test.setTimeout(120_000);
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: baseURL });
  await page.setViewportSize({ width: 1280, height: 900 });
  await register(page, newUser("share"));
  await openApiKeys(page);
  const key = await createApiKey(page, "sharing", "full");

  const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000).toISOString();
  for (const [m, use] of [
    [55, "58%"],
    [45, "61%"],
    [35, "63%"],
    [25, "64%"],
  ] as const) {
    await push(request, key, "diskfree", dfOutput({ used: 40_000_000 + m * 1000, use }), { created: minutesAgo(m), tags: "host:web1" });
  }
  await push(request, key, "secret-billing", "customers 1234\n");
  const id = await importDashboard(request, key, {
    name: "Servers",
    tiles: [
      { report: "diskfree", kind: "range", draw: "area", rangeSeconds: 3600, title: "Disk use on web1", series: [useSeries("/", "/")], layout: { x: 0, y: 0, w: 8, h: 5 } },
      { report: "diskfree", kind: "latest", draw: "value", title: "Root now", series: [useSeries("/")], layout: { x: 8, y: 0, w: 4, h: 5 } },
      {
        report: "diskfree",
        kind: "latest",
        draw: "bar",
        title: "All file systems",
        series: [useSeries("/", "/"), useSeries("/run", "/run"), useSeries("/dev/shm", "/dev/shm"), useSeries("/var/lib/postgresql", "/var/lib/postgresql")],
        layout: { x: 0, y: 5, w: 12, h: 4 },
      },
    ],
  });
  // Another dashboard of the account that the visitor must never see.
  await importDashboard(request, key, { name: "Billing internals", tiles: [{ report: "secret-billing", kind: "latest", draw: "value", title: "Customers", series: [{ column: 1, filterColumn: 0, op: "equals", value: "customers" }] }] });

  // The owner opens the Share dialog and creates a link (the time range may be changed by visitors).
  await page.goto(`/dashboards/${id}`);
  await page.getByRole("button", { name: "Share" }).click();
  const dialog = page.getByRole("dialog", { name: "Share “Servers”" });
  await expect(dialog).toBeVisible();
  await expect(dialog.getByText("No links yet.")).toBeVisible();
  await dialog.getByLabel("Visitors may change the time range").check();
  await dialog.getByRole("button", { name: "Create link" }).click();
  const box = dialog.getByTestId("new-share-link");
  await expect(box).toContainText("it will not be shown again");
  const shown = ((await box.locator("pre code").textContent()) ?? "").trim();
  expect(shown).toMatch(/\/s\/tws_[A-Za-z0-9_-]{32}$/);
  await box.getByRole("button", { name: "Copy link" }).click();
  await expect(box.getByRole("button", { name: "Copied", exact: true })).toBeVisible();
  const link = await page.evaluate(() => navigator.clipboard.readText());
  expect(link).toBe(shown);
  await expect(dialog.getByTestId("share-link")).toHaveCount(1);
  await expect(dialog.getByTestId("share-link")).toContainText("Active");
  // The dialog as the owner sees it (the viewport: a full-page shot would leave the backdrop short).
  await page.screenshot({ path: fileURLToPath(new URL("../artifacts/screenshots/share-panel.png", import.meta.url)) });
  await dialog.getByRole("button", { name: "Close" }).click();

  // A visitor: a fresh browser context, no cookies.
  const visitorContext = await browser.newContext();
  const visitor = await visitorContext.newPage();
  const token = new URL(link).pathname.split("/").pop()!;
  const requests: string[] = [];
  visitor.on("request", (r) => requests.push(r.url()));
  const opened = await visitor.goto(link);
  expect(opened?.status()).toBe(200);
  expect(opened?.headers()["x-robots-tag"]).toBe("noindex, nofollow");
  expect(opened?.headers()["referrer-policy"]).toBe("no-referrer");
  await expect(visitor.getByRole("heading", { level: 1, name: "Servers" })).toBeVisible();
  const chart = tile(visitor, "Disk use on web1");
  await expect(chart.locator("canvas").first()).toBeVisible();
  await expect(chart).toHaveAttribute("data-points", "4");
  const value = tile(visitor, "Root now");
  await expect(value).toContainText("64");
  await expect(tile(visitor, "All file systems")).toContainText("/var/lib/postgresql");
  await expect(visitor.getByRole("status").filter({ hasText: "Live" })).toBeVisible();
  const html = await visitor.content();
  for (const secret of ["Billing internals", "secret-billing", "Customers", "tw_live_", "@example.com", "Ada Lovelace"]) expect(html).not.toContain(secret);
  await expect(visitor.locator("a")).toHaveCount(0);
  await expectNoSidewaysScroll(visitor);

  // Live: a new push shows up without a reload.
  const marker = await visitor.evaluate(() => ((window as unknown as { __marker: number }).__marker = Math.random()));
  await push(request, key, "diskfree", dfOutput({ used: 44_000_000, use: "88%" }), { tags: "host:web1" });
  await expect(value).toContainText("88", { timeout: 20_000 });
  await expect(chart).toHaveAttribute("data-points", "5", { timeout: 20_000 });
  expect(await visitor.evaluate(() => (window as unknown as { __marker?: number }).__marker)).toBe(marker);

  // The visitor may pick another time range (the link allows it).
  await visitor.getByRole("button", { name: "Last 24 hours" }).click();
  await expect(visitor).toHaveURL(/\?range=24h$/);
  await expect(chart).toContainText("Last 1 day");
  await visitor.getByRole("button", { name: "Default" }).click();
  await expect(chart).toContainText("Last 1 hour");
  await saveScreenshot(visitor, "shared-dashboard");

  // Every request the visitor's page made stayed on the link, its share.* calls or static files.
  const origin = new URL(link).origin;
  for (const url of requests) {
    const u = new URL(url);
    expect(u.origin, url).toBe(origin);
    const allowed =
      u.pathname === `/s/${token}` || /^\/trpc\/share\.(view|tiles)(,share\.(view|tiles))*$/.test(u.pathname) || u.pathname.startsWith("/assets/") || u.pathname === "/favicon.svg";
    expect(allowed, `the visitor's page requested ${u.pathname}`).toBe(true);
  }
  expect(requests.some((u) => new URL(u).pathname.startsWith("/trpc/share.tiles"))).toBe(true);

  // The owner sees the view counted, in the dialog and in Settings → Sharing.
  await page.getByRole("button", { name: "Share" }).click();
  await expect(dialog.getByTestId("share-views")).toHaveText("1");
  await dialog.getByRole("button", { name: "Close" }).click();
  await page.goto("/settings/sharing");
  const row = page.getByTestId("sharing-row");
  await expect(row).toHaveCount(1);
  await expect(row).toContainText("Servers");
  await expect(row).toContainText("Adjustable");
  await expect(row.locator("td.num")).toHaveText("1");
  await saveScreenshot(page, "settings-sharing");

  // The owner revokes the link (from the dashboard's dialog); the visitor's reload gets 404.
  await row.getByRole("link", { name: "Servers" }).click();
  await expect(dialog).toBeVisible();
  await dialog.getByRole("button", { name: "Revoke" }).click();
  await dialog.getByRole("button", { name: "Revoke link" }).click();
  await expect(dialog.getByText("No links yet.")).toBeVisible();

  const gone = await visitor.reload();
  expect(gone?.status()).toBe(404);
  await expect(visitor.getByRole("heading", { name: "This link is not available" })).toBeVisible();
  await expect(visitor.getByText("Servers")).toHaveCount(0);
  await saveScreenshot(visitor, "shared-link-not-available");
  await visitorContext.close();
});
