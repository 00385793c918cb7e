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

/** Imports a dashboard through the public API ("dashboards as code") and returns its id. */
async function importDashboard(request: APIRequestContext, key: string, model: unknown): Promise<string> {
  const response = await request.post("/api/v1/dashboards", { headers: { Authorization: basicAuth(key) }, data: model });
  expect(response.status(), await response.text()).toBe(200);
  return ((await response.json()) as { result: { id: string } }).result.id;
}

const useSeries = (mount: string) => ({ column: 4, filterColumn: 5, op: "equals", value: mount });

async function fullKey(page: Page) {
  await openApiKeys(page);
  return createApiKey(page, "dashboards", "full");
}

/** A tile on the page, by its title. */
const tile = (page: Page, title: string | RegExp) => page.getByTestId("tile").filter({ has: page.getByRole("heading", { name: title }) });

test("a customer watches a disk chart grow without reloading when a new df push arrives", async ({ page, request }) => {
  test.setTimeout(90_000);
  await register(page, newUser("charts"));
  const key = await fullKey(page);
  const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000).toISOString();
  for (const [m, use] of [
    [50, "61%"],
    [40, "63%"],
    [30, "64%"],
  ] as const) {
    await push(request, key, "diskfree", dfOutput({ used: 40_000_000 + m, use }), { created: minutesAgo(m), tags: "host:web1" });
  }
  const id = await importDashboard(request, key, {
    name: "Servers",
    tiles: [
      { report: "diskfree", kind: "range", draw: "line", rangeSeconds: 3600, title: "Disk use", series: [useSeries("/")] },
      { report: "diskfree", kind: "latest", draw: "value", title: "Root now", series: [useSeries("/")] },
    ],
  });

  await page.goto(`/dashboards/${id}`);
  await expect(page.getByRole("tab", { name: "Servers" })).toHaveAttribute("aria-selected", "true");
  const chart = tile(page, "Disk use");
  await expect(chart.locator("canvas").first()).toBeVisible();
  await expect(chart).toHaveAttribute("data-points", "3");
  const value = tile(page, "Root now");
  await expect(value).toContainText("64");
  await expectNoSidewaysScroll(page);
  await saveScreenshot(page, "dashboard-charts");

  // A new instance arrives; the tiles pick it up by themselves (incremental polling), no reload.
  const marker = await page.evaluate(() => ((window as unknown as { __marker: number }).__marker = Math.random()));
  await push(request, key, "diskfree", dfOutput({ used: 44_000_000, use: "88%" }), { tags: "host:web1" });
  await expect(value).toContainText("88", { timeout: 15_000 });
  await expect(chart).toHaveAttribute("data-points", "4", { timeout: 15_000 });
  expect(await page.evaluate(() => (window as unknown as { __marker?: number }).__marker)).toBe(marker);
  await saveScreenshot(page, "dashboard-charts-updated");
});

test("an editor drags a tile in edit mode and the new layout is kept after a reload", async ({ page, request }) => {
  test.setTimeout(90_000);
  await register(page, newUser("layout"));
  const key = await fullKey(page);
  await push(request, key, "diskfree", dfOutput({ used: 40_000_000, use: "61%" }));
  const id = await importDashboard(request, key, {
    name: "Layout",
    tiles: [
      { report: "diskfree", kind: "latest", draw: "value", title: "First", series: [useSeries("/")], layout: { x: 0, y: 0, w: 4, h: 4 } },
      { report: "diskfree", kind: "latest", draw: "value", title: "Second", series: [useSeries("/run")], layout: { x: 4, y: 0, w: 4, h: 4 } },
    ],
  });
  await page.goto(`/dashboards/${id}`);
  await page.getByRole("button", { name: "Edit layout" }).click();
  const first = tile(page, "First");
  const head = first.locator(".tw-tile-head");
  const box = (await head.boundingBox())!;
  const target = (await tile(page, "Second").boundingBox())!;
  // Drag "First" to the right of "Second".
  await page.mouse.move(box.x + 20, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + 60, box.y + box.height / 2, { steps: 5 });
  await page.mouse.move(target.x + target.width + 40, box.y + box.height / 2, { steps: 15 });
  await page.mouse.up();
  await saveScreenshot(page, "dashboard-edit-mode");
  await page.getByRole("button", { name: "Done editing" }).click();

  await expect
    .poll(async () => {
      const response = await request.get(`/api/v1/dashboards/${id}`, { headers: { Authorization: basicAuth(key) } });
      const model = (await response.json()) as { result: { tiles: { title: string; layout: { x: number } }[] } };
      return model.result.tiles.find((t) => t.title === "First")?.layout.x;
    })
    .toBeGreaterThanOrEqual(8);
  await page.reload();
  const firstBox = (await tile(page, "First").boundingBox())!;
  const secondBox = (await tile(page, "Second").boundingBox())!;
  expect(firstBox.x).toBeGreaterThan(secondBox.x);
});

test("a master tile for host:* gets a copy when an instance with a new host arrives", async ({ page, request }) => {
  test.setTimeout(90_000);
  await register(page, newUser("master"));
  const key = await fullKey(page);
  await push(request, key, "load", "0.5", { tags: "host:web1" });
  const id = await importDashboard(request, key, {
    name: "Fleet",
    tiles: [
      {
        report: "load",
        tags: ["host:web1"],
        kind: "latest",
        draw: "value",
        series: [{ column: 0, filterColumn: -1, op: "equals", value: "0", name: "load" }],
        masterTagPattern: "host:*",
      },
    ],
  });
  await page.goto(`/dashboards/${id}`);
  await expect(page.getByTestId("tile")).toHaveCount(1);

  await push(request, key, "load", "0.9", { tags: "host:web7" });
  await expect
    .poll(
      async () => {
        await page.reload();
        return page.getByTestId("tile").count();
      },
      { timeout: 15_000 },
    )
    .toBe(2);
  await expect(tile(page, /host:web7/)).toContainText("0.9");
  await saveScreenshot(page, "dashboard-master-copy");
});

test("dashboards are tabs that can be added, renamed and deleted", async ({ page }) => {
  await register(page, newUser("tabs"));
  await expect(page.getByRole("tab", { name: "Default" })).toHaveAttribute("aria-selected", "true");
  await page.getByText("+ New").click();
  await page.getByLabel("Name").fill("Databases");
  await page.getByRole("button", { name: "Create dashboard" }).click();
  await expect(page.getByRole("tab", { name: "Databases" })).toHaveAttribute("aria-selected", "true");

  await page.getByRole("button", { name: "Settings" }).click();
  await page.getByRole("region", { name: "Dashboard settings" }).getByLabel("Name", { exact: true }).fill("Postgres");
  await page.getByRole("button", { name: "Rename" }).click();
  await expect(page.getByRole("tab", { name: "Postgres" })).toBeVisible();

  await page.getByRole("button", { name: "Delete dashboard…" }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Delete dashboard" }).click();
  await expect(page.getByRole("tab", { name: "Default" })).toHaveAttribute("aria-selected", "true");
  await expect(page.getByRole("tab", { name: "Postgres" })).toHaveCount(0);
});

test("a dashboard exported as JSON imports as a new dashboard, and full screen hides the app's chrome", async ({ page, request }) => {
  test.setTimeout(90_000);
  await register(page, newUser("export"));
  const key = await fullKey(page);
  await push(request, key, "diskfree", dfOutput({ used: 40_000_000, use: "61%" }));
  const id = await importDashboard(request, key, {
    name: "Disks",
    tiles: [{ report: "diskfree", kind: "latest", draw: "value", title: "Root", series: [useSeries("/")] }],
  });
  await page.goto(`/dashboards/${id}`);

  const download = page.waitForEvent("download");
  await page.getByRole("link", { name: "Export JSON" }).click();
  const file = await (await download).path();
  const model = JSON.parse(await (await import("node:fs/promises")).readFile(file, "utf8")) as { name: string; tiles: { title: string }[] };
  expect(model.name).toBe("Disks");
  expect(model.tiles.map((t) => t.title)).toEqual(["Root"]);

  await page.getByRole("button", { name: "Import", exact: true }).click();
  await page.getByPlaceholder(/"name": "Servers"/).fill(JSON.stringify({ ...model, name: "Disks (copy)" }));
  await page.getByRole("button", { name: "Import as a new dashboard" }).click();
  await expect(page.getByText("Dashboard imported.")).toBeVisible();
  await expect(page.getByRole("tab", { name: "Disks (copy)" })).toHaveAttribute("aria-selected", "true");
  await expect(tile(page, "Root")).toContainText("61");

  // A broken file is refused with a clear message, not an error page.
  await page.getByRole("button", { name: "Import", exact: true }).click();
  await page.getByPlaceholder(/"name": "Servers"/).fill("{not json");
  await page.getByRole("button", { name: "Import as a new dashboard" }).click();
  await expect(page.getByRole("alert")).toContainText("not valid JSON");

  await page.getByRole("button", { name: "Full screen" }).click();
  await expect(page.getByRole("banner")).toBeHidden();
  await expect(tile(page, "Root")).toBeVisible();
  await saveScreenshot(page, "dashboard-full-screen");
  await page.getByRole("button", { name: "Exit full screen" }).click();
  await expect(page.getByRole("banner")).toBeVisible();
});
