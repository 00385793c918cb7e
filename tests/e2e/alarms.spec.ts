import { type APIRequestContext, expect, type Locator, type Page, test } from "@playwright/test";
import { type CaughtMail, expectNoSidewaysScroll, linkInMail, newUser, register, saveScreenshot, waitForMail } from "./support/helpers";
import { basicAuth, createApiKey, dfOutput, openApiKeys } from "./support/reports";

const MINUTE = 60_000;
/** The worker polls every second and the outbox every two: mail takes a few seconds. */
const MAIL_TIMEOUT = 20_000;

/** alarms.md's disk example, as the Examples menu inserts it. */
const SPEC_CHECK = "for (const r of table(instance))\n  if (num(r['Use%']) > 90) return `${r['Mounted on']} is ${r['Use%']} full`;";
/** The same check, also handing back the offending row so it is marked in the editor and the email. */
const MARKING_CHECK =
  "for (const r of table(instance))\n  if (num(r['Use%']) > 90) return { message: `${r['Mounted on']} is ${r['Use%']} full`, rows: [r] };";

/** `df | curl --user KEY: --data-binary @- URL` with the root file system `use` full. */
async function pushDisk(request: APIRequestContext, key: string, use: number, created: string) {
  const used = Math.round((61255492 * use) / 100);
  const response = await request.post(`/api/v1/reports/diskfree?${new URLSearchParams({ tags: "host:web1", created })}`, {
    headers: { Authorization: basicAuth(key), "Content-Type": "application/x-www-form-urlencoded" },
    data: dfOutput({ used, use: `${use}%` }),
  });
  expect(response.status(), await response.text()).toBe(200);
  return ((await response.json()) as { result: { id: string } }).result.id;
}

/** The newest caught mail to `to` whose subject starts with `prefix`, polled while the outbox sends. */
async function waitForAlarmMail(request: APIRequestContext, to: string, prefix: string): Promise<CaughtMail> {
  let found: CaughtMail | undefined;
  await expect
    .poll(
      async () => {
        const response = await request.get("/dev/mail/messages.json");
        const mails = (await response.json()) as CaughtMail[];
        found = mails.find((m) => m.to === to && m.subject.startsWith(prefix));
        return found?.subject ?? null;
      },
      { message: `an email "${prefix}…" to ${to}`, timeout: MAIL_TIMEOUT },
    )
    .not.toBeNull();
  return found!;
}

/** Replaces the code editor's text as a person pasting would (typed keys would auto-close brackets). */
async function replaceCode(page: Page, code: string) {
  const editor = page.getByTestId("code-editor");
  await editor.click();
  await page.keyboard.press("ControlOrMeta+a");
  await page.keyboard.insertText(code);
  await expect(editor).toContainText(code.split("\n")[1]!.trim().slice(0, 40));
}

async function runTest(page: Page): Promise<Locator> {
  await page.getByRole("button", { name: "Test", exact: true }).click();
  const result = page.getByTestId("test-result");
  await expect(page.getByRole("button", { name: "Test", exact: true })).toBeEnabled();
  return result;
}

/** A full-page screenshot in a window as tall as the page, so the sticky save bar sits below the form. */
async function saveWholePage(page: Page, name: string) {
  const viewport = page.viewportSize()!;
  const height = await page.evaluate(() => document.documentElement.scrollHeight);
  await page.setViewportSize({ width: viewport.width, height: Math.min(height + 40, 4000) });
  await saveScreenshot(page, name);
  await page.setViewportSize(viewport);
}

/** A stable time axis: instances five minutes apart, ending before now. */
function clock() {
  const start = Date.now() - 60 * MINUTE;
  let n = 0;
  return () => new Date(start + n++ * 5 * MINUTE).toISOString();
}

/** Registers (confirming the email: alarm emails go to confirmed addresses), creates a full API key and pushes one healthy df instance. */
async function setUp(page: Page, request: APIRequestContext, prefix: string) {
  const user = newUser(prefix);
  await register(page, user);
  await page.goto(linkInMail(await waitForMail(request, user.email, "Confirm your email address for Tablewatch"), "/confirm-email"));
  await expect(page.getByRole("heading", { name: "Email confirmed" })).toBeVisible();
  await page.goto("/dashboard");
  await openApiKeys(page);
  const key = await createApiKey(page, "cron on web1", "full");
  const next = clock();
  await pushDisk(request, key, 71, next());
  return { user, key, next };
}

/** Creates "Disk space" on diskfree from the editor with the spec's example; ends on the alarm's page. */
async function createDiskAlarm(page: Page) {
  await page.goto("/alarms/new?report=diskfree");
  await page.getByLabel("Name").fill("Disk space");
  await page.getByText("Examples").click();
  await page.getByRole("menuitem", { name: /A disk more than 90/ }).click();
  await page.getByRole("button", { name: "Create alarm" }).click();
  await expect(page).toHaveURL(/\/alarms\/[0-9a-f]{32}$/);
  await expect(page.getByRole("heading", { name: "Disk space", level: 1 })).toBeVisible();
}

test("A user writes the disk alarm from the spec, tests it in the editor, and is emailed when a disk fills and again when it recovers", async ({
  page,
  request,
}) => {
  test.setTimeout(150_000);
  const { user, key, next } = await setUp(page, request, "disk-alarm");

  // Nothing watches anything yet: the Alarms page explains alarms, with the spec's example and the API call.
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Alarms" }).click();
  await expect(page).toHaveURL(/\/alarms$/);
  await expect(page.getByRole("heading", { name: "No alarms yet" })).toBeVisible();
  await expect(page.locator(".al-example-code")).toHaveText(SPEC_CHECK);
  const origin = new URL(page.url()).origin;
  await expect(page.locator(".copy-block code").filter({ hasText: "/api/v1/alarms" })).toContainText(
    /^curl -X POST --user \$TABLEWATCH_KEY: \\\s+-H 'Content-Type: application\/json' --data-binary @- \\/,
  );
  await expect(page.locator(".copy-block code").filter({ hasText: "/api/v1/alarms" })).toContainText(`"${origin}/api/v1/alarms"`);
  await expectNoSidewaysScroll(page);
  await saveScreenshot(page, "alarms-empty");

  // From the report, "Add alarm" opens the editor on it.
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Reports" }).click();
  const reportRow = page.getByRole("row").filter({ has: page.getByRole("link", { name: "diskfree", exact: true }) });
  await reportRow.getByRole("link", { name: "Add alarm" }).click();
  await expect(page).toHaveURL(/\/alarms\/new\?report=diskfree$/);
  await expect(page.getByLabel("Report")).toHaveValue("diskfree");
  await page.getByLabel("Name").fill("Disk space");
  await expect(page.getByText("Default: owners and admins")).toBeVisible();

  // The spec's check, from the Examples menu, passes on the healthy instance.
  await page.getByText("Examples").click();
  await page.getByRole("menuitem", { name: /A disk more than 90/ }).click();
  await expect(page.getByTestId("code-editor")).toContainText(SPEC_CHECK.split("\n")[1]!.trim());
  let result = await runTest(page);
  await expect(result.getByText("OK", { exact: true })).toBeVisible();
  await expect(result).toContainText("The check passes on this instance.");
  await expect(result).toContainText(/\d+ ms/);
  await expect(result.locator("tr.marked")).toHaveCount(0);

  // A disk fills up: Test runs on the latest instance and says which.
  await pushDisk(request, key, 95, next());
  result = await runTest(page);
  await expect(result.getByText("ALARM", { exact: true })).toBeVisible();
  await expect(result).toContainText("/ is 95% full");

  // Handing back the row marks it in the instance's table; console lines show too.
  await replaceCode(page, `console.log('disks:', table(instance).length);\n${MARKING_CHECK}`);
  result = await runTest(page);
  await expect(result.getByText("ALARM", { exact: true })).toBeVisible();
  await expect(result).toContainText("/ is 95% full");
  await expect(result).toContainText("1 row marked");
  await expect(result.locator("tr.marked")).toHaveCount(1);
  await expect(result.locator("tr.marked")).toContainText("/dev/sda1");
  await expect(result.locator(".al-console pre")).toHaveText("disks: 5");
  await expectNoSidewaysScroll(page);
  await saveWholePage(page, "alarm-editor-test-alarm");

  // An error in the check is shown as such, with its message.
  await replaceCode(page, "const x = null;\nreturn x.length;");
  result = await runTest(page);
  await expect(result.getByText("ERROR", { exact: true })).toBeVisible();
  await expect(result).toContainText("TypeError");
  await replaceCode(page, MARKING_CHECK);

  // Saved: the alarm's page, with its badge link shown once.
  await page.getByRole("button", { name: "Create alarm" }).click();
  await expect(page).toHaveURL(/\/alarms\/[0-9a-f]{32}$/);
  const alarmUrl = page.url();
  await expect(page.getByRole("heading", { name: "Disk space", level: 1 })).toBeVisible();
  await expect(page.getByTestId("badge-reveal")).toContainText("Alarm “Disk space” created");
  const markdown = (await page.getByTestId("badge-reveal").locator("pre code").first().textContent()) ?? "";
  const badgeUrl = /\((https?:\/\/[^)]+\.svg)\)/.exec(markdown)?.[1] ?? "";
  expect(badgeUrl).toMatch(new RegExp(`^${origin}/badge/twb_\\S+\\.svg$`));
  const badge = await request.get(badgeUrl);
  expect(badge.status()).toBe(200);
  expect(badge.headers()["content-type"]).toContain("image/svg+xml");
  expect(badge.headers()["cache-control"]).toContain("no-cache");
  expect(await badge.text()).toContain("Disk space");

  // The disk fills again: the owner is emailed, with the message and the marked row.
  await pushDisk(request, key, 96, next());
  const alarmMail = await waitForAlarmMail(request, user.email, "ALARM: Disk space");
  expect(alarmMail.subject).toContain("/ is 96% full");
  expect(alarmMail.html).toContain("/ is 96% full");
  expect(alarmMail.text).toMatch(/▶\uFE0E?[^\n]*\/dev\/sda1/);

  // It recovers: a RECOVERED email.
  await pushDisk(request, key, 72, next());
  const recovered = await waitForAlarmMail(request, user.email, "RECOVERED: Disk space");
  expect(recovered.subject).not.toContain("full");

  // The alarm's page shows the history, newest first, linked to the instances.
  await page.goto(alarmUrl);
  const history = page.getByRole("region", { name: "History" });
  const rows = history.getByRole("row");
  await expect(rows).toHaveCount(3);
  await expect(rows.nth(1)).toContainText(/ALARM\s*→\s*OK/);
  await expect(rows.nth(2)).toContainText(/OK\s*→\s*ALARM/);
  await expect(rows.nth(2)).toContainText("/ is 96% full");
  await expect(page.getByTestId("badge-reveal")).toHaveCount(0);
  await rows.nth(2).getByRole("link", { name: /Instance/ }).click();
  await expect(page).toHaveURL(/\/reports\/diskfree\?id=[0-9a-f]{32}$/);
  await expect(page.getByRole("region", { name: "Instance" }).getByRole("cell", { name: "96%", exact: true })).toBeVisible();

  // Two more alarms, kept as code through the API: one state per host, and silence; one snoozed.
  const api = { headers: { Authorization: basicAuth(key) } };
  const perHost = await request.post("/api/v1/alarms", {
    ...api,
    data: { name: "Disk per host", report: "diskfree", tags: ["host:*"], kind: "check", code: MARKING_CHECK, notifyRecovery: false },
  });
  expect(perHost.status(), await perHost.text()).toBe(200);
  const silence = await request.post("/api/v1/alarms", { ...api, data: { name: "Cron job is alive", report: "diskfree", kind: "no_data", noDataMinutes: 30 } });
  expect(silence.status(), await silence.text()).toBe(200);
  const silenceId = ((await silence.json()) as { result: { id: string } }).result.id;
  expect((await request.post(`/api/v1/alarms/${silenceId}/snooze?minutes=240`, api)).status()).toBe(200);

  // Fires again: the Alarms list, the Reports list and the dashboard mark it.
  await pushDisk(request, key, 97, next());
  await waitForAlarmMail(request, user.email, "ALARM: Disk per host (host:web1)");
  await waitForAlarmMail(request, user.email, "ALARM: Disk space — / is 97% full");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Alarms" }).click();
  const alarmRow = page.getByTestId("alarm-row").filter({ hasText: "Disk space" });
  await expect(alarmRow.getByText("ALARM", { exact: true })).toBeVisible();
  await expect(alarmRow.getByRole("switch", { name: "Enabled: Disk space" })).toHaveAttribute("aria-checked", "true");
  await expect(alarmRow).toContainText("/ is 97% full");
  const hostRow = page.getByTestId("alarm-row").filter({ hasText: "Disk per host" });
  await expect(hostRow).toContainText("1 tag set: 1 alarm");
  await expect(page.getByTestId("alarm-row").filter({ hasText: "Cron job is alive" })).toContainText(/until .*\(in (3|4) hours\)/);
  await expectNoSidewaysScroll(page);
  await saveScreenshot(page, "alarms-list");

  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Reports" }).click();
  await expect(reportRow.getByText("ALARM", { exact: true })).toBeVisible();
  await saveScreenshot(page, "reports-alarm-pill");
  await reportRow.getByRole("link", { name: "diskfree", exact: true }).click();
  await expect(page.getByRole("heading", { name: "diskfree", level: 1 })).toBeVisible();
  await expect(page.locator(".page-head").getByText("ALARM", { exact: true })).toBeVisible();
  await expect(page.locator(".page-head").getByRole("link", { name: "Add alarm" })).toHaveAttribute("href", "/alarms/new?report=diskfree");
  await saveScreenshot(page, "report-viewer-alarm");

  const dashboard = await request.post("/api/v1/dashboards", {
    headers: { Authorization: basicAuth(key) },
    data: {
      name: "Servers",
      tiles: [
        { report: "diskfree", kind: "latest", draw: "bar", title: "Disk use %", series: [{ column: 4, filterColumn: 5, op: "equals", value: "/" }] },
        { report: "diskfree", kind: "range", draw: "line", title: "Root disk", series: [{ column: 4, filterColumn: 5, op: "equals", value: "/" }] },
      ],
    },
  });
  expect(dashboard.status(), await dashboard.text()).toBe(200);
  await page.goto(`/dashboards/${((await dashboard.json()) as { result: { id: string } }).result.id}`);
  const tileMark = page.getByTestId("tile").first().getByRole("link", { name: "ALARM" });
  await expect(tileMark).toBeVisible();
  await expect(tileMark).toHaveAttribute("title", /3 alarms on diskfree/);
  await saveScreenshot(page, "dashboard-alarm-tile");
  await tileMark.click();
  await expect(page).toHaveURL(/\/alarms\?report=diskfree$/);
  await expect(page.getByText("Showing the alarms of diskfree")).toBeVisible();

  // Turned off from the list, it stays off. (The switch shows the new state at once; the reload
  // waits for the save, which it would otherwise abort.)
  const saved = page.waitForResponse((r) => r.request().method() === "POST" && /^\/alarms(\.data)?$/.test(new URL(r.url()).pathname));
  await page.getByRole("switch", { name: "Enabled: Disk space" }).click();
  await expect(page.getByRole("switch", { name: "Enabled: Disk space" })).toHaveAttribute("aria-checked", "false");
  expect((await saved).ok()).toBe(true);
  await page.reload();
  await expect(page.getByRole("switch", { name: "Enabled: Disk space" })).toHaveAttribute("aria-checked", "false");
  await expect(page.getByTestId("alarm-row").filter({ hasText: "Disk space" }).getByText("OFF", { exact: true })).toBeVisible();
});

test("A user snoozes a noisy alarm for an hour, sees until when, and ends the snooze early", async ({ page, request }) => {
  test.setTimeout(90_000);
  await setUp(page, request, "snooze");
  await createDiskAlarm(page);

  const snooze = page.getByRole("region", { name: "Snooze" });
  await snooze.getByRole("button", { name: "1 hour" }).click();
  await expect(snooze.getByRole("status")).toContainText("Snoozed until");
  await expect(snooze.getByRole("status")).toContainText(/\(in (59|60) minutes\)/);
  await expect(page.locator(".page-sub")).toContainText("snoozed until");
  await snooze.getByText("Snooze from a script").click();
  const id = /\/alarms\/([0-9a-f]{32})$/.exec(page.url())![1];
  await expect(snooze.locator("pre code")).toHaveText(`curl -X POST --user $TABLEWATCH_KEY: "${new URL(page.url()).origin}/api/v1/alarms/${id}/snooze?minutes=60"`);

  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Alarms" }).click();
  await expect(page.getByTestId("alarm-row").filter({ hasText: "Disk space" })).toContainText(/until .*\(in (59|60) minutes\)/);
  await page.getByRole("link", { name: "Disk space" }).click();

  // A custom number of minutes, then the end of it.
  await snooze.getByLabel("Minutes").fill("125");
  await snooze.getByRole("button", { name: "Snooze", exact: true }).click();
  await expect(snooze.getByRole("status")).toContainText("(in 2 hours)");
  await snooze.getByRole("button", { name: "End snooze" }).click();
  await expect(snooze.getByRole("status")).toHaveCount(0);
  await expect(snooze).toContainText("Holds notifications back for a while");
});

test("A user edits the alarm's notifications and quiet hours, and a new badge link retires the old one", async ({ page, request }) => {
  test.setTimeout(90_000);
  const { user, key } = await setUp(page, request, "settings");
  await createDiskAlarm(page);
  const first = /\((https?:\/\/[^)]+\.svg)\)/.exec((await page.getByTestId("badge-reveal").locator("pre code").first().textContent()) ?? "")![1]!;
  expect((await request.get(first)).status()).toBe(200);

  // Recipients, re-notify, a maintenance window, a webhook.
  await page.getByLabel(user.email).check();
  await expect(page.getByText("1 member chosen")).toBeVisible();
  await page.getByLabel("Notify on recovery").uncheck();
  await page.getByLabel("Re-notify while not OK, every").fill("4");
  await page.getByRole("button", { name: "Add window" }).click();
  await page.getByLabel("Window 1 starts at").fill("01:30");
  await page.getByLabel("Window 1 ends at").fill("03:00");
  await page.getByLabel("Time zone").fill("Europe/Tallinn");
  await page.getByLabel("Webhook").fill("http://127.0.0.1:9/hook");
  await page.getByRole("button", { name: "Save changes" }).click();
  await expect(page.getByText("Saved.")).toBeVisible();
  await expect(page.locator(".page-sub")).toContainText("quiet Mon–Fri 01:30–03:00");
  await page.reload();
  await expect(page.getByLabel(user.email)).toBeChecked();
  await expect(page.getByLabel("Notify on recovery")).not.toBeChecked();
  await expect(page.getByLabel("Re-notify while not OK, every")).toHaveValue("4");
  await expect(page.getByLabel("Window 1 starts at")).toHaveValue("01:30");
  await expect(page.getByLabel("Time zone")).toHaveValue("Europe/Tallinn");
  await expectNoSidewaysScroll(page);
  await saveWholePage(page, "alarm-page");

  // The webhook's secret is shown to editors; a test delivery to a closed port says it failed.
  await expect(page.locator(".al-secret pre code")).toHaveText(/^whsec_/);
  await page.getByRole("button", { name: "Send test" }).click();
  await expect(page.locator(".al-webhook-test .al-error-text")).toBeVisible({ timeout: 15_000 });

  // A refused save keeps what was typed and names the field.
  await page.getByLabel("Name").fill("");
  await page.getByRole("button", { name: "Save changes" }).click();
  await expect(page.getByRole("alert")).toContainText("Please correct the highlighted fields.");
  await expect(page.getByLabel("Name")).toHaveAttribute("aria-invalid", "true");
  await expect(page.getByLabel("Window 1 starts at")).toHaveValue("01:30");

  // A new badge link: the old one answers 404 from now on.
  await page.goto(page.url());
  await page.getByRole("button", { name: "New badge link" }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Make new link" }).click();
  await expect(page.getByTestId("badge-reveal")).toContainText("The previous link stopped working");
  const second = /\((https?:\/\/[^)]+\.svg)\)/.exec((await page.getByTestId("badge-reveal").locator("pre code").first().textContent()) ?? "")![1]!;
  expect(second).not.toBe(first);
  expect((await request.get(first)).status()).toBe(404);
  const svg = await request.get(second);
  expect(svg.status()).toBe(200);
  expect(svg.headers()["content-type"]).toBe("image/svg+xml");
  await expect(page.getByTestId("badge-reveal").getByRole("img", { name: "Disk space status badge" })).toBeVisible();

  // Deleted with a confirmation.
  await page.getByRole("button", { name: "Delete alarm" }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Delete alarm" }).click();
  await expect(page).toHaveURL(/\/alarms\?deleted=Disk(%20|\+)space$/);
  await expect(page.getByText("The alarm “Disk space” was deleted.")).toBeVisible();
  await expect(page.getByRole("heading", { name: "No alarms yet" })).toBeVisible();
  expect((await request.get(second)).status()).toBe(404);

  // The empty state's "alarms as code" call works as shown (its heredoc body, with a full key).
  const curl = (await page.locator(".copy-block code").filter({ hasText: "/api/v1/alarms" }).textContent()) ?? "";
  const body = /<<'EOF'\n([\s\S]*)\nEOF$/.exec(curl)?.[1] ?? "";
  const created = await request.post("/api/v1/alarms", { headers: { Authorization: basicAuth(key), "Content-Type": "application/json" }, data: body });
  expect(created.status(), await created.text()).toBe(200);
  await page.reload();
  await expect(page.getByTestId("alarm-row").filter({ hasText: "Disk space" })).toBeVisible();
});

test("Without JavaScript, the check is written in a plain text box and the alarm is still created", async ({ page, request, browser }) => {
  test.setTimeout(60_000);
  await setUp(page, request, "no-js");
  const context = await browser.newContext({ storageState: await page.context().storageState(), javaScriptEnabled: false });
  const plain = await context.newPage();
  await plain.goto("/alarms/new?report=diskfree");
  const code = plain.locator("textarea[name=code]");
  await expect(code).toBeVisible();
  await plain.getByLabel("Name").fill("Disk space");
  await code.fill(SPEC_CHECK);
  await plain.getByRole("button", { name: "Create alarm" }).click();
  await expect(plain.getByTestId("badge-reveal")).toContainText("Alarm “Disk space” created");
  await plain.getByRole("link", { name: "Open the alarm" }).click();
  await expect(plain.getByRole("heading", { name: "Disk space", level: 1 })).toBeVisible();
  await expect(plain.locator("textarea[name=code]")).toHaveValue(SPEC_CHECK);
  await context.close();
});
