import { type APIRequestContext, expect, type Page, test } from "@playwright/test";
import { expectNoSidewaysScroll, newUser, saveScreenshot, type TestUser } from "./support/helpers";

const MINUTE = 60_000;

/** `df` output of a Linux host with a /home file system; `home` is its Use% (e.g. "26%"). */
function dfOutput({ rootUse, home }: { rootUse: string; home: string }): string {
  const rows = [
    ["Filesystem", "1K-blocks", "Used", "Available", "Use%", "Mounted on"],
    ["udev", "4012345", "0", "4012345", "0%", "/dev"],
    ["tmpfs", "804560", "1780", "802780", "1%", "/run"],
    ["/dev/sda1", "61255492", "44012345", "14101555", rootUse, "/"],
    ["tmpfs", "4022800", "0", "4022800", "0%", "/dev/shm"],
    ["/dev/sda2", "206292664", "51573166", "144217498", home, "/home"],
  ];
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  const line = (row: string[]) =>
    row.map((cell, column) => (column === 0 ? cell.padEnd(widths[0]!) : column === 5 ? cell : cell.padStart(widths[column]!))).join(" ");
  return `${rows.map(line).join("\n")}\n`;
}

/** `Authorization` as `curl --user KEY:` sends it. */
const basicAuth = (key: string) => `Basic ${Buffer.from(`${key}:`).toString("base64")}`;

async function push(request: APIRequestContext, key: string, body: string, created: string, report = "diskfree") {
  const response = await request.post(`/api/v1/reports/${report}?${new URLSearchParams({ tags: "host:web1", created })}`, {
    headers: { Authorization: basicAuth(key), "Content-Type": "application/x-www-form-urlencoded" },
    data: body,
  });
  expect(response.status(), await response.text()).toBe(200);
}

/** Registers through the form; it leads to the (first) dashboard. */
async function register(page: Page, user: TestUser) {
  await page.goto("/register");
  await page.getByLabel("Your name").fill(user.name);
  await page.getByLabel("Work email").fill(user.email);
  await page.getByLabel("Password", { exact: true }).fill(user.password);
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page).toHaveURL(/\/dashboards?(\/|\?|$)/);
}

/** A key with the "full" scope (push and read), from Settings → API keys. */
async function createFullKey(page: Page): Promise<string> {
  await page.goto("/settings/api-keys");
  await page.getByLabel("Name").fill("e2e tile editor");
  await page.getByLabel("Scope").selectOption("full");
  await page.getByRole("button", { name: "Create key" }).click();
  const box = page.getByTestId("new-api-key");
  await expect(box.getByRole("heading")).toContainText("created");
  const key = (await box.locator("pre code").first().textContent())?.trim() ?? "";
  expect(key).toMatch(/^tw_live_\S{20,}$/);
  return key;
}

/** The account's first dashboard, as the public API lists it (the id as the app's addresses use it). */
async function firstDashboardId(request: APIRequestContext, key: string): Promise<string> {
  const response = await request.get("/api/v1/dashboards", { headers: { Authorization: basicAuth(key) } });
  expect(response.status(), await response.text()).toBe(200);
  const answer = (await response.json()) as { result: { id: string; name: string }[] };
  expect(answer.result.length).toBeGreaterThan(0);
  return answer.result[0]!.id;
}

type ApiTile = { id: string; report: string; tags?: string[]; kind: string; draw: string; rangeSeconds?: number; title?: string; series: unknown[] };

async function dashboardTiles(request: APIRequestContext, key: string, dashboardId: string): Promise<ApiTile[]> {
  const response = await request.get(`/api/v1/dashboards/${dashboardId}`, { headers: { Authorization: basicAuth(key) } });
  expect(response.status(), await response.text()).toBe(200);
  return ((await response.json()) as { result: { tiles: ApiTile[] } }).result.tiles;
}

/** A full-page screenshot with the viewport as tall as the page, so the sticky save bar sits where it ends up. */
async function screenshotWhole(page: Page, name: string) {
  const size = page.viewportSize()!;
  const height = await page.evaluate(() => document.documentElement.scrollHeight);
  await page.setViewportSize({ width: size.width, height });
  await saveScreenshot(page, name);
  await page.setViewportSize(size);
}

/** The picker table's cell in the row whose "Mounted on" is `mount`, in column `column` (0-based). */
const cell = (page: Page, mount: string, column: number) =>
  page
    .getByRole("table")
    .getByRole("row")
    .filter({ has: page.getByRole("button", { name: new RegExp(`^${mount.replace(/[/]/g, "\\/")}, Mounted on`) }) })
    .getByRole("cell")
    .nth(column)
    .getByRole("button");

test("an editor adds a tile by clicking Use% of /home and sees it on the dashboard", async ({ page, request }) => {
  test.setTimeout(90_000);
  await register(page, newUser("tiles"));
  const key = await createFullKey(page);
  const dashboardId = await firstDashboardId(request, key);

  // Before any data: the editor explains how to send some.
  await page.goto(`/dashboards/${dashboardId}/tiles/new`);
  await expect(page.getByRole("heading", { name: "Add a tile", level: 1 })).toBeVisible();
  const empty = page.getByRole("region", { name: /No reports yet/ });
  await expect(empty).toBeVisible();
  await expect(empty.locator("pre code")).toHaveText(/^df \| curl --user \$TABLEWATCH_KEY: --data-binary @- http:\/\/localhost:\d+\/api\/v1\/reports\/diskfree$/);
  await expect(empty.getByRole("link", { name: /API key/ })).toHaveAttribute("href", "/settings/api-keys");
  await saveScreenshot(page, "tile-editor-empty");

  // Two runs of a cron job, ten minutes apart.
  const now = Date.now();
  await push(request, key, dfOutput({ rootUse: "71%", home: "24%" }), new Date(now - 15 * MINUTE).toISOString());
  await push(request, key, dfOutput({ rootUse: "74%", home: "26%" }), new Date(now - 5 * MINUTE).toISOString());

  await page.reload();
  await expect(page.getByRole("region", { name: /No reports yet/ })).toHaveCount(0);
  // The report field suggests the account's reports; a recent one is a click away.
  await expect(page.locator("#te-report-names option")).toHaveCount(1);
  await expect(page.locator("#te-report-names option")).toHaveAttribute("value", "diskfree");
  await page.getByLabel("Report", { exact: true }).fill("diskfree");
  await page.getByRole("button", { name: "Show table" }).click();
  await expect(page).toHaveURL(/\/tiles\/new\?report=diskfree$/);
  const table = page.getByRole("table");
  await expect(table.getByRole("columnheader", { name: "Use%", exact: true })).toBeVisible();
  await expect(page.getByText("Newest instance,")).toBeVisible();
  await expect(page.getByRole("button", { name: "host:web1" })).toBeVisible();

  // Clicking 26% (Use% of /home) proposes "Use% where Mounted on equals /home", named /home.
  const homeUse = cell(page, "/home", 4);
  await expect(homeUse).toHaveText("26%");
  await homeUse.click();
  await expect(page.getByRole("status")).toHaveText("Added series 1: Use% where Mounted on equals “/home”.");
  await expect(page.getByLabel("Series 1 column")).toHaveValue("4");
  await expect(page.getByLabel("Series 1 column").locator("option:checked")).toHaveText("Use%");
  await expect(page.getByLabel("Series 1 where").locator("option:checked")).toHaveText("Mounted on");
  await expect(page.getByLabel("Series 1 comparison")).toHaveValue("equals");
  await expect(page.getByLabel("Series 1 value")).toHaveValue("/home");
  await expect(page.getByLabel("Series 1 named")).toHaveValue("/home");
  await expect(page.getByLabel("Series 1 colour")).toHaveValue("#4e79a7");
  await expect(page.locator(".te-series-item").first()).toContainText("Now: 26%");
  // The table marks the selected cell and its row's label.
  await expect(page.locator("td.te-picked")).toHaveCount(1);
  await expect(page.locator("td.te-picked")).toHaveText(/26%/);
  await expect(page.locator("td.te-label")).toHaveText("/home");

  // A second series from the keyboard: Used of / (arrow keys move, Enter picks).
  await homeUse.focus();
  await page.keyboard.press("ArrowLeft");
  await page.keyboard.press("ArrowLeft");
  await page.keyboard.press("ArrowUp");
  await page.keyboard.press("ArrowUp");
  await expect(cell(page, "/", 2)).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(page.getByRole("status")).toHaveText("Added series 2: Used where Mounted on equals “/”.");
  await expect(page.getByLabel("Series 2 named")).toHaveValue("/");
  await expect(page.getByLabel("Series 2 colour")).toHaveValue("#f28e2b");
  await expect(page.locator("td.te-picked")).toHaveCount(2);
  // Clicking the same cell again adds nothing.
  await cell(page, "/", 2).click();
  await expect(page.getByRole("status")).toHaveText("That cell is already series 2.");
  await expect(page.locator(".te-series-item")).toHaveCount(2);
  await expect(page.getByLabel("Title")).toHaveAttribute("placeholder", "diskfree (/home, /)");
  await expectNoSidewaysScroll(page);
  await screenshotWhole(page, "tile-editor-two-series");

  // Only /home is wanted after all.
  await page.getByRole("button", { name: "Remove series 2" }).click();
  await expect(page.locator(".te-series-item")).toHaveCount(1);
  await expect(page.getByLabel("Title")).toHaveAttribute("placeholder", "diskfree (/home)");

  // Range of the last 2 days, smooth line.
  await expect(page.getByRole("radio", { name: "Range", exact: true })).toBeChecked();
  await expect(page.getByLabel("the last", { exact: true })).toHaveValue("7");
  await expect(page.getByLabel("Unit")).toHaveValue("days");
  await page.getByLabel("the last", { exact: true }).fill("2");
  const draws = page.getByRole("group", { name: "Draw as" }).getByRole("radio");
  await expect(draws).toHaveCount(5);
  await page.getByRole("radio", { name: "Smooth line" }).check();
  // Latest offers other draws.
  await page.getByRole("radio", { name: "Latest", exact: true }).check();
  await expect(page.getByRole("group", { name: "Draw as" }).locator("label > span")).toHaveText(["Bars", "Columns", "Big value", "Text"]);
  await page.getByRole("radio", { name: "Range", exact: true }).check();
  await page.getByRole("radio", { name: "Smooth line" }).check();
  await screenshotWhole(page, "tile-editor-display");

  await page.getByRole("button", { name: "Add tile" }).click();
  await expect(page).toHaveURL(new RegExp(`/dashboards/${dashboardId}\\?added=[0-9a-f-]+$`), { timeout: 15_000 });
  const tileId = new URL(page.url()).searchParams.get("added")!;

  // Stored as specified.
  const tiles = await dashboardTiles(request, key, dashboardId);
  expect(tiles).toHaveLength(1);
  expect(tiles[0]).toMatchObject({
    report: "diskfree",
    kind: "range",
    draw: "spline",
    rangeSeconds: 2 * 24 * 3600,
    series: [{ column: 4, filterColumn: 5, op: "equals", value: "/home", name: "/home" }],
  });
  expect(tiles[0]!.title ?? "").toBe("");

  // On the dashboard, with both pushes as points.
  const tile = page.locator(`[data-tile-id="${tileId}"]`);
  await expect(tile).toBeVisible();
  await expect(tile.getByRole("heading", { name: "diskfree (/home)" })).toBeVisible();
  await saveScreenshot(page, "tile-editor-added");
  const data = await request.get(`/api/v1/dashboards/${dashboardId}/tiles/${tileId.replace(/-/g, "")}/data`, {
    headers: { Authorization: basicAuth(key) },
  });
  expect(data.status(), await data.text()).toBe(200);
  const points = ((await data.json()) as { result: { series: { name: string; points: [string, number][] }[] } }).result.series[0]!.points;
  expect(points.map(([, value]) => value)).toEqual([24, 26]);

  // Editing: everything is pre-filled; a new name and a title are saved.
  await page.goto(`/dashboards/${dashboardId}/tiles/${tileId}`);
  await expect(page.getByRole("heading", { name: "Edit tile", level: 1 })).toBeVisible();
  await expect(page.getByLabel("Report", { exact: true })).toHaveValue("diskfree");
  await expect(page.getByLabel("Series 1 value")).toHaveValue("/home");
  await expect(page.getByLabel("the last", { exact: true })).toHaveValue("2");
  await expect(page.getByRole("radio", { name: "Smooth line" })).toBeChecked();
  await expect(page.locator("td.te-picked")).toHaveText(/26%/);
  await screenshotWhole(page, "tile-editor-edit");
  await page.getByLabel("Series 1 named").fill("home");
  await page.getByLabel("Title").fill("Disk use of /home");
  await page.getByRole("button", { name: "Save tile" }).click();
  await expect(page).toHaveURL(new RegExp(`/dashboards/${dashboardId}$`), { timeout: 15_000 });
  await expect(page.locator(`[data-tile-id="${tileId}"]`).getByRole("heading", { name: "Disk use of /home" })).toBeVisible();
  expect((await dashboardTiles(request, key, dashboardId))[0]).toMatchObject({
    title: "Disk use of /home",
    series: [{ column: 4, filterColumn: 5, op: "equals", value: "/home", name: "home" }],
  });
});

test("a refused save keeps everything entered, and a broken config is a 400", async ({ page, request }) => {
  test.setTimeout(60_000);
  await register(page, newUser("tilesave"));
  const key = await createFullKey(page);
  const dashboardId = await firstDashboardId(request, key);
  await push(request, key, dfOutput({ rootUse: "74%", home: "26%" }), new Date(Date.now() - 5 * MINUTE).toISOString());

  await page.goto(`/dashboards/${dashboardId}/tiles/new?report=diskfree`);
  // Saving without a series is stopped in the page.
  await page.getByRole("button", { name: "Add tile" }).click();
  await expect(page.getByText("Click a cell of the table to chart it, or add a series manually.")).toBeVisible();
  await expect(page).toHaveURL(/\/tiles\/new\?report=diskfree$/);

  await cell(page, "/home", 4).click();
  await expect(page.getByLabel("Series 1 value")).toHaveValue("/home");
  await page.getByLabel("Series 1 named").fill("home disk");
  await page.getByLabel("Title").fill("My disks");
  await page.getByText("Advanced").click();
  await page.getByLabel("Master for tag pattern").fill("host:*");

  // Meanwhile the machine starts pushing a one-column table: the server refuses column 4.
  await push(request, key, "42\n", new Date().toISOString());
  await page.getByRole("button", { name: "Add tile" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "out of range" })).toBeVisible();
  await expect(page).toHaveURL(/\/tiles\/new\?report=diskfree$/);
  await expect(page.getByLabel("Series 1 value")).toHaveValue("/home");
  await expect(page.getByLabel("Series 1 named")).toHaveValue("home disk");
  await expect(page.getByLabel("Title")).toHaveValue("My disks");
  await expect(page.getByLabel("Master for tag pattern")).toHaveValue("host:*");
  await screenshotWhole(page, "tile-editor-refused");

  // A config that is not JSON is answered 400 with a message, never a 500.
  const origin = new URL(page.url()).origin;
  const broken = await page.request.post(`/dashboards/${dashboardId}/tiles/new`, {
    form: { intent: "save", config: "{not json" },
    headers: { Origin: origin },
  });
  expect(broken.status()).toBe(400);
  expect(await broken.text()).toContain("could not be read");
});
