import { type ConsoleMessage, expect, type Page, test } from "@playwright/test";
import { expectNoSidewaysScroll, newUser, register, saveScreenshot } from "./support/helpers";
import { basicAuth, createApiKey, dfOutput, openApiKeys, pushDf } from "./support/reports";

const MINUTE = 60_000;

/** The row of a key in the "Active keys" table. */
const keyRow = (page: Page, name: string) =>
  page.getByRole("region", { name: /Active keys/ }).getByRole("row").filter({ has: page.getByRole("cell", { name, exact: true }) });

test("a customer creates an API key in Settings, pushes df output with curl-like HTTP, and browses it in Reports", async ({
  page,
  request,
}) => {
  test.setTimeout(60_000);
  await register(page, newUser("pusher"));

  await openApiKeys(page);
  await expect(page.getByText("No API keys yet.")).toBeVisible();
  const key = await createApiKey(page, "cron on web1", "ingest");
  const box = page.getByTestId("new-api-key");
  await expect(box.getByText("Ingest", { exact: true })).toBeVisible();
  const curl = box.locator("pre code").nth(1);
  await expect(curl).toContainText("/api/v1/reports/");
  await expect(curl).toContainText(`df | curl --user ${key}: --data-binary @- `);
  await expect(keyRow(page, "cron on web1")).toContainText(key.slice(0, 12));
  // The form is ready for the next key, and the full key is nowhere in the list.
  await expect(page.getByLabel("Name")).toHaveValue("");
  await expect(page.getByRole("region", { name: /Active keys/ })).not.toContainText(key);

  // Three runs of a cron job, five minutes apart, each with its own numbers.
  const start = Date.now() - 20 * MINUTE;
  const at = (minutes: number) => new Date(start + minutes * MINUTE).toISOString();
  const oldest = { body: dfOutput({ used: 41237788, use: "71%" }), created: at(0) };
  const middle = { body: dfOutput({ used: 42876512, use: "72%" }), created: at(5) };
  const newest = { body: dfOutput({ used: 44012345, use: "74%", extraMount: "/srv/backups" }), created: at(10) };
  const pushed = [];
  for (const push of [oldest, middle, newest]) {
    pushed.push(await pushDf(request, key, push.body, { tags: "host:web1", created: push.created }));
  }
  const [oldestId, middleId, newestId] = pushed.map((instance) => instance.id);
  expect(new Set([oldestId, middleId, newestId]).size).toBe(3);

  // The Reports list.
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Reports" }).click();
  await expect(page).toHaveURL(/\/reports$/);
  await expect(page.getByRole("heading", { name: "Reports", level: 1 })).toBeVisible();
  await expect(page.getByText(/^1 report · 3 instances · /)).toBeVisible();
  const row = page.getByRole("row").filter({ has: page.getByRole("link", { name: "diskfree", exact: true }) });
  await expect(row.getByRole("cell")).toHaveText(["diskfree", /ago|just now/, "3", /\d+(\.\d+)? (B|KB|kB|KiB)/, "Add alarm"]);
  await expectNoSidewaysScroll(page);
  await saveScreenshot(page, "reports-list");

  // The viewer opens on the newest instance.
  await row.getByRole("link", { name: "diskfree" }).click();
  await expect(page).toHaveURL(/\/reports\/diskfree$/);
  await expect(page.getByRole("heading", { name: "diskfree", level: 1 })).toBeVisible();
  await expect(page.getByText(/^3 instances · /)).toBeVisible();
  const instance = page.getByRole("region", { name: "Instance" });
  const table = instance.getByRole("table");
  for (const heading of ["Filesystem", "Use%", "Mounted on"]) {
    await expect(table.getByRole("columnheader", { name: heading, exact: true })).toBeVisible();
  }
  await expect(table.getByRole("cell", { name: "44012345", exact: true })).toBeVisible();
  await expect(table.getByRole("cell", { name: "/srv/backups", exact: true })).toBeVisible();
  // df prints numbers as text ("44012345", "74%"); their columns are right-aligned, headings and cells alike.
  for (const [heading, value] of [["Used", "44012345"], ["Use%", "74%"]]) {
    await expect(table.getByRole("columnheader", { name: heading, exact: true })).toHaveCSS("text-align", "right");
    await expect(table.getByRole("cell", { name: value, exact: true })).toHaveCSS("text-align", "right");
  }
  await expect(table.getByRole("cell", { name: "/dev/sda1", exact: true })).not.toHaveCSS("text-align", "right");
  await expect(instance.locator("time")).toHaveText(newest.created);
  await expect(instance.getByRole("link", { name: "host:web1" })).toBeVisible();
  await expect(instance.locator(".instance-meta .format-name")).toHaveText("asciispace");
  await expect(instance.locator(".instance-meta")).toContainText("6 rows × 6 columns");
  await expect(instance.locator(".instance-id")).toHaveText(newestId!);
  const pager = instance.getByRole("group", { name: "Instances" });
  await expect(pager.getByText("Next")).toHaveAttribute("aria-disabled", "true");
  await expectNoSidewaysScroll(page);
  await saveScreenshot(page, "report-viewer");

  // Previous: the middle push.
  await pager.getByRole("link", { name: "Previous" }).click();
  await expect(page).toHaveURL(new RegExp(`/reports/diskfree\\?id=${middleId}$`));
  await expect(table.getByRole("cell", { name: "42876512", exact: true })).toBeVisible();
  await expect(table.getByRole("cell", { name: "44012345", exact: true })).toHaveCount(0);
  await expect(table.getByRole("cell", { name: "/srv/backups", exact: true })).toHaveCount(0);
  await expect(instance.locator(".instance-id")).toHaveText(middleId!);
  await expect(pager.getByRole("link", { name: "Next" })).toBeVisible();

  // The raw input, exactly as pushed.
  await instance.getByRole("tab", { name: "Raw input" }).click();
  await expect(page).toHaveURL(/[?&]tab=raw/);
  await expect(instance.getByRole("tab", { name: "Raw input" })).toHaveAttribute("aria-selected", "true");
  const raw = instance.locator("pre.raw-input");
  await expect(raw).toHaveText(middle.body);
  await expect(raw).toContainText(/\/dev\/sda1 +61255492 +42876512 +\d+ +72% \/\n/);
  await expect(instance.getByRole("table")).toHaveCount(0);
  await expectNoSidewaysScroll(page);
  await saveScreenshot(page, "report-raw");

  // Delete the shown (middle) instance; the dialog asks first.
  await instance.getByRole("button", { name: "Delete instance" }).click();
  const dialog = page.getByRole("dialog", { name: "Delete this instance?" });
  await expect(dialog).toBeVisible();
  await expect(dialog).toContainText(middle.created);
  // Cancel keeps it.
  await dialog.getByRole("button", { name: "Cancel" }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByText(/^3 instances · /)).toBeVisible();
  await instance.getByRole("button", { name: "Delete instance" }).click();
  await dialog.getByRole("button", { name: "Delete instance" }).click();
  await expect(page).toHaveURL(/\/reports\/diskfree\?deleted=instance$/);
  await expect(page.getByRole("status")).toHaveText("The instance was deleted. This is now the newest one.");
  await expect(dialog).toBeHidden();
  await expect(page.getByText(/^2 instances · /)).toBeVisible();
  await expect(instance.locator(".instance-id")).toHaveText(newestId!);
  // Previous from the newest now skips the deleted one and reaches the oldest, which is the last.
  await pager.getByRole("link", { name: "Previous" }).click();
  await expect(page).toHaveURL(new RegExp(`\\?id=${oldestId}$`));
  await expect(instance.getByRole("table").getByRole("cell", { name: "41237788", exact: true })).toBeVisible();
  await expect(pager.getByText("Previous")).toHaveAttribute("aria-disabled", "true");
  // The deleted instance's address says it is gone.
  await page.goto(`/reports/diskfree?id=${middleId}`);
  await expect(page.getByRole("heading", { name: "This instance does not exist" })).toBeVisible();
  await page.getByRole("link", { name: "Back to reports" }).click();
  await expect(page.getByRole("row").filter({ hasText: "diskfree" }).getByRole("cell").nth(2)).toHaveText("2");

  // The key's requests are counted (the counter is written every few seconds).
  await openApiKeys(page);
  const today = keyRow(page, "cron on web1").getByRole("cell").nth(5);
  await expect
    .poll(
      async () => {
        await page.reload();
        return Number((await today.textContent())?.replace(/\D/g, "") || 0);
      },
      { message: "requests today of “cron on web1”", timeout: 15_000, intervals: [1_000] },
    )
    .toBeGreaterThanOrEqual(3);
  await expect(keyRow(page, "cron on web1").getByRole("cell").nth(4)).toHaveText(/ago|just now/);
});

test("an ingest-only key may push but not read", async ({ page, request }) => {
  await register(page, newUser("ingestonly"));
  await openApiKeys(page);
  const key = await createApiKey(page, "push only", "ingest");
  const headers = { Authorization: basicAuth(key) };

  for (const path of ["/api/v1/reports", "/api/v1/reports/diskfree/instances"]) {
    const response = await request.get(path, { headers });
    expect(response.status(), path).toBe(403);
    expect(await response.json()).toEqual({
      success: false,
      details: { message: expect.stringContaining('scope "ingest"'), errorCode: expect.any(String) },
    });
  }
});

test("revoking a key stops it at once", async ({ page, request }) => {
  await register(page, newUser("revoker"));
  await openApiKeys(page);
  const key = await createApiKey(page, "old laptop", "full");
  const headers = { Authorization: basicAuth(key) };
  expect((await request.get("/api/v1/account", { headers })).status()).toBe(200);

  const row = keyRow(page, "old laptop");
  await row.getByRole("button", { name: "Revoke" }).click();
  const dialog = page.getByRole("dialog", { name: "Revoke “old laptop”?" });
  await expect(dialog).toBeVisible();
  await expect(dialog).toContainText("401 Unauthorized");
  await dialog.getByRole("button", { name: "Revoke key" }).click();
  await expect(page.getByRole("status")).toHaveText("“old laptop” was revoked. Requests with it are refused from now on.");
  await expect(row).toHaveCount(0);
  await expect(page.getByText("No API keys yet.")).toBeVisible();
  // The one-time box is gone too: the key is not shown again.
  await expect(page.getByTestId("new-api-key")).toHaveCount(0);

  const account = await request.get("/api/v1/account", { headers });
  expect(account.status()).toBe(401);
  expect(await account.json()).toMatchObject({ success: false, details: { message: expect.stringContaining("API key") } });
  const push = await request.post("/api/v1/reports/diskfree", {
    headers: { ...headers, "Content-Type": "application/x-www-form-urlencoded" },
    data: dfOutput({ used: 1, use: "1%" }),
  });
  expect(push.status()).toBe(401);
  expect(await push.json()).toMatchObject({ success: false });
});

test("the API docs page shows every endpoint", async ({ page }) => {
  const problems: string[] = [];
  const isCsp = (text: string) => /Content[- ]Security[- ]Policy/i.test(text);
  page.on("console", (message: ConsoleMessage) => {
    if (message.type() === "error" || isCsp(message.text())) problems.push(`console ${message.type()}: ${message.text()}`);
  });
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  // Violations are reported as events too (also for blocked images, which log nothing at times).
  await page.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (event) => {
      console.error(`Content-Security-Policy violation: ${event.violatedDirective} blocked ${event.blockedURI}`);
    });
  });

  await register(page, newUser("docs"));
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "API docs" }).click();
  await expect(page).toHaveURL(/\/api\/docs\/?$/);
  await expect(page.getByRole("heading", { name: /Tablewatch API/ })).toBeVisible({ timeout: 15_000 });

  const operation = (method: string, path: string) =>
    page.locator(`.opblock.opblock-${method}`).filter({ has: page.locator(`.opblock-summary-path[data-path="${path}"]`) });
  const endpoints: [string, string][] = [
    ["post", "/reports/{name}"],
    ["get", "/reports"],
    ["get", "/reports/{name}/instances"],
    ["get", "/reports/{name}/instances/{id}"],
    ["delete", "/reports/{name}"],
    ["delete", "/reports/{name}/instances"],
    ["delete", "/reports/{name}/instances/{id}"],
    ["get", "/account"],
  ];
  for (const [method, path] of endpoints) {
    await expect(operation(method, path), `${method.toUpperCase()} ${path}`).toHaveCount(1);
    await expect(operation(method, path).locator(".opblock-summary-method")).toHaveText(method.toUpperCase());
  }

  // Opening the push endpoint shows its parameters.
  await operation("post", "/reports/{name}").locator(".opblock-summary").first().click();
  const push = operation("post", "/reports/{name}");
  for (const parameter of ["tags", "created", "format"]) {
    await expect(push.locator(`tr[data-param-name="${parameter}"]`)).toBeVisible();
  }
  await saveScreenshot(page, "api-docs");

  expect(problems.filter(isCsp), "Content-Security-Policy violations").toEqual([]);
  expect(problems, "console errors").toEqual([]);
});
