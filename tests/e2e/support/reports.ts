/** Shared steps of the e2e stories that push data: df output, API keys from Settings, pushes. */
import { type APIRequestContext, expect, type Page } from "@playwright/test";

/**
 * `df` output as a Linux host prints it: the file system left-aligned, the numbers right-aligned
 * under their headings, each column as wide as its widest value. `used` and `use` of the root file
 * system make each push recognizable.
 */
export function dfOutput({ used, use, extraMount }: { used: number; use: string; extraMount?: string }): string {
  const rows = [
    ["Filesystem", "1K-blocks", "Used", "Available", "Use%", "Mounted on"],
    ["udev", "4012345", "0", "4012345", "0%", "/dev"],
    ["tmpfs", "804560", "1780", "802780", "1%", "/run"],
    ["/dev/sda1", "61255492", String(used), String(61255492 - used - 3141592), use, "/"],
    ["tmpfs", "4022800", "0", "4022800", "0%", "/dev/shm"],
    ["/dev/sdb1", "515923392", "123456789", "366236291", "26%", "/var/lib/postgresql"],
    ...(extraMount ? [["/dev/sdc1", "103081248", "2101248", "95720288", "3%", extraMount]] : []),
  ];
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  const line = (row: string[]) =>
    row
      .map((cell, column) => (column === 0 ? cell.padEnd(widths[0]!) : column === 5 ? cell : cell.padStart(widths[column]!)))
      .join(" ");
  return `${rows.map(line).join("\n")}\n`;
}

/** `Authorization` as `curl --user KEY:` sends it. */
export const basicAuth = (key: string) => `Basic ${Buffer.from(`${key}:`).toString("base64")}`;

/** What `df | curl --user KEY: --data-binary @- URL` sends (curl's default form Content-Type included). */
export async function pushDf(request: APIRequestContext, key: string, body: string, query: Record<string, string>) {
  const response = await request.post(`/api/v1/reports/diskfree?${new URLSearchParams(query)}`, {
    headers: { Authorization: basicAuth(key), "Content-Type": "application/x-www-form-urlencoded" },
    data: body,
  });
  expect(response.status(), await response.text()).toBe(200);
  const answer = (await response.json()) as { success: boolean; result: { id: string; tags: string[]; created: string } };
  expect(answer).toMatchObject({ success: true, result: { tags: ["host:web1"], created: query.created } });
  return answer.result;
}

/** Creates a key in Settings → API keys (the page must be open) and reads it from the one-time box. */
export async function createApiKey(page: Page, name: string, scope: "ingest" | "read" | "full"): Promise<string> {
  await page.getByLabel("Name").fill(name);
  await page.getByLabel("Scope").selectOption(scope);
  await page.getByRole("button", { name: "Create key" }).click();
  const box = page.getByTestId("new-api-key");
  await expect(box.getByRole("heading")).toContainText(`API key “${name}” created`);
  await expect(box).toContainText("it will not be shown again");
  const key = (await box.locator("pre code").first().textContent())?.trim() ?? "";
  expect(key).toMatch(/^tw_live_\S{20,}$/);
  return key;
}

export async function openApiKeys(page: Page) {
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Settings" }).click();
  await page.getByRole("navigation", { name: "Settings" }).getByRole("link", { name: "API keys" }).click();
  await expect(page).toHaveURL(/\/settings\/api-keys$/);
  await expect(page.getByRole("heading", { name: "API keys", exact: true })).toBeVisible();
}

