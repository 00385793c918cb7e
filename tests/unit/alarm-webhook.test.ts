/**
 * Alarm notifications without a database: webhook signing and posting, the status badge, and the
 * notification email (subjects, HTML and plain text).
 */
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { describe, it } from "node:test";
import { render } from "@react-email/render";
import { createElement } from "react";
import AlarmNotificationEmail, { examplePayloads, MARK, subject } from "../../emails/alarm-notification";
import { badgeSvg } from "../../server/alarm/badge";
import { backoffSeconds, messageIdFor } from "../../server/alarm/outbox";
import type { AlarmNotificationPayload } from "../../server/alarm/types";
import { newWebhookSecret, postWebhook, signWebhook, verifyWebhook } from "../../server/alarm/webhook";

describe("webhook signatures", () => {
  const secret = "whsec_test-secret";
  const body = JSON.stringify({ hello: "world", n: 1 });

  it("signs '<timestamp>.<body>' with HMAC-SHA256 keyed with the whole secret, as hex", () => {
    const expected = createHmac("sha256", secret).update(`1700000000.${body}`).digest("hex");
    assert.equal(signWebhook(secret, 1700000000, body), expected);
    assert.match(expected, /^[0-9a-f]{64}$/);
  });

  it("new secrets are whsec_ and 32 random bytes, base64url", () => {
    const a = newWebhookSecret();
    assert.match(a, /^whsec_[A-Za-z0-9_-]{43}$/);
    assert.notEqual(a, newWebhookSecret());
  });

  it("verifies a genuine delivery from fetch Headers or a Node headers object", () => {
    const now = new Date(1_700_000_100_000);
    const timestamp = "1700000050";
    const signature = `sha256=${signWebhook(secret, timestamp, body)}`;
    assert.ok(verifyWebhook(secret, new Headers({ "X-Tablewatch-Timestamp": timestamp, "X-Tablewatch-Signature": signature }), body, { now }));
    assert.ok(verifyWebhook(secret, { "x-tablewatch-timestamp": timestamp, "x-tablewatch-signature": signature }, body, { now }));
    // Several signatures (a secret rotation): one matching is enough.
    assert.ok(verifyWebhook(secret, { "x-tablewatch-timestamp": timestamp, "x-tablewatch-signature": `sha256=${"0".repeat(64)}, ${signature}` }, body, { now }));
  });

  it("refuses a changed body, another secret, an old or missing timestamp, a malformed signature", () => {
    const now = new Date(1_700_000_100_000);
    const headers = (timestamp: string, sig = `sha256=${signWebhook(secret, timestamp, body)}`) => ({
      "x-tablewatch-timestamp": timestamp,
      "x-tablewatch-signature": sig,
    });
    assert.ok(!verifyWebhook(secret, headers("1700000050"), body.replace("1", "2"), { now }));
    assert.ok(!verifyWebhook("whsec_other", headers("1700000050"), body, { now }));
    assert.ok(!verifyWebhook(secret, headers("1699999000"), body, { now }), "older than 5 minutes");
    assert.ok(verifyWebhook(secret, headers("1699999000"), body, { now, toleranceSeconds: 3600 }));
    assert.ok(!verifyWebhook(secret, { "x-tablewatch-signature": `sha256=${signWebhook(secret, "", body)}` }, body, { now }));
    assert.ok(!verifyWebhook(secret, headers("1700000050", signWebhook(secret, "1700000050", body)), body, { now }), "without sha256=");
    assert.ok(!verifyWebhook(secret, headers("1700000050", "sha256=abc"), body, { now }));
  });
});

describe("postWebhook", () => {
  type Call = { url: string; init: RequestInit };
  const fakeFetch = (respond: (call: Call) => Promise<Response> | Response) => {
    const calls: Call[] = [];
    const fn = (async (url: URL | string, init?: RequestInit) => {
      const call = { url: String(url), init: init ?? {} };
      calls.push(call);
      return respond(call);
    }) as typeof fetch;
    return { fn, calls };
  };

  it("POSTs the payload as JSON with the delivery, timestamp and signature headers", async () => {
    const fake = fakeFetch(() => new Response(null, { status: 204 }));
    const now = () => new Date(1_700_000_000_500);
    const result = await postWebhook("https://example.test/hook", { a: 1 }, "whsec_k", { deliveryId: "d-1", fetch: fake.fn, now });
    assert.deepEqual(result, { status: 204 });
    const [call] = fake.calls;
    assert.equal(call?.url, "https://example.test/hook");
    assert.equal(call?.init.method, "POST");
    assert.equal(call?.init.body, '{"a":1}');
    assert.equal(call?.init.redirect, "manual");
    const headers = new Headers(call?.init.headers);
    assert.equal(headers.get("content-type"), "application/json");
    assert.equal(headers.get("user-agent"), "Tablewatch-Webhook/1");
    assert.equal(headers.get("x-tablewatch-delivery"), "d-1");
    assert.equal(headers.get("x-tablewatch-timestamp"), "1700000000");
    assert.equal(headers.get("x-tablewatch-signature"), `sha256=${signWebhook("whsec_k", 1700000000, '{"a":1}')}`);
    assert.ok(verifyWebhook("whsec_k", headers, '{"a":1}', { now: now() }));
  });

  it("throws readable errors for non-2xx answers, redirects, timeouts and unreachable hosts", async () => {
    const opts = (fetch: typeof globalThis.fetch, timeoutMs?: number) => ({ deliveryId: "d", fetch, timeoutMs });
    await assert.rejects(postWebhook("http://x.test", {}, "k", opts(fakeFetch(() => new Response("", { status: 500 })).fn)), {
      message: "Webhook answered 500",
    });
    await assert.rejects(postWebhook("http://x.test", {}, "k", opts(fakeFetch(() => new Response("Not\nfound", { status: 404 })).fn)), {
      message: "Webhook answered 404: Not found",
    });
    await assert.rejects(
      postWebhook("http://x.test", {}, "k", opts(fakeFetch(() => new Response(null, { status: 302, headers: { location: "/" } })).fn)),
      { message: "Webhook answered 302 (redirects are not followed)" },
    );
    const hanging = fakeFetch(
      ({ init }) =>
        new Promise<Response>((_, reject) => init.signal!.addEventListener("abort", () => reject(new DOMException("aborted", "AbortError")))),
    );
    await assert.rejects(postWebhook("http://x.test", {}, "k", opts(hanging.fn, 50)), { message: "Webhook timed out after 0.1 s" });
    await assert.rejects(postWebhook("http://127.0.0.1:9/", {}, "k", { deliveryId: "d" }), /^Error: Webhook could not be reached: /);
  });

  it("refuses URLs that are not http(s) without calling them", async () => {
    const fake = fakeFetch(() => new Response(null, { status: 200 }));
    for (const url of ["ftp://example.test/x", "file:///etc/passwd", "javascript:alert(1)", "not a url"]) {
      await assert.rejects(postWebhook(url, {}, "k", { deliveryId: "d", fetch: fake.fn }), /webhook URL/i);
    }
    assert.equal(fake.calls.length, 0);
  });
});

describe("badgeSvg", () => {
  it("draws the label on grey and the state in its colour", () => {
    const colours = { ok: "#3fa33f", alarm: "#e05d44", error: "#f0883e", no_data: "#6b7fa3", unknown: "#9f9f9f" } as const;
    const texts = { ok: "ok", alarm: "alarm", error: "error", no_data: "no data", unknown: "unknown" } as const;
    for (const state of ["ok", "alarm", "error", "no_data", "unknown"] as const) {
      const svg = badgeSvg("Disk space", state);
      assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" width="\d+" height="20"/);
      assert.ok(svg.includes(`fill="${colours[state]}"`), state);
      assert.ok(svg.includes('fill="#555"'));
      assert.ok(svg.includes(`>${texts[state]}</text>`), state);
      assert.ok(svg.includes(`<title>Disk space: ${texts[state]}</title>`));
    }
  });

  it("escapes the label and sizes the badge to it", () => {
    const svg = badgeSvg(`<script>alert("x")</script> & 'co'\u0000`, "alarm");
    assert.ok(!svg.includes("<script>"));
    assert.ok(svg.includes("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &apos;co&apos;"));
    assert.ok(!svg.includes("\u0000"));
    const width = (s: string) => Number(/width="(\d+)"/.exec(s)![1]);
    assert.ok(width(badgeSvg("a much longer alarm name here", "ok")) > width(badgeSvg("short", "ok")) + 80);
    assert.ok(width(badgeSvg("x".repeat(500), "ok")) < 500, "long labels are cut");
  });
});

describe("outbox helpers", () => {
  it("backs off 30 s, 1, 2, 5, 15, 30 min, then hourly", () => {
    assert.deepEqual([1, 2, 3, 4, 5, 6, 7, 50].map(backoffSeconds), [30, 60, 120, 300, 900, 1800, 3600, 3600]);
  });
  it("derives a stable Message-ID from the idempotency key", () => {
    assert.equal(messageIdFor("a:1:email:u"), messageIdFor("a:1:email:u"));
    assert.notEqual(messageIdFor("a:1:email:u"), messageIdFor("a:2:email:u"));
    assert.match(messageIdFor("a:1:email:u"), /^<[0-9a-f]{40}@tablewatch>$/);
  });
});

describe("alarm notification email", () => {
  const renderBoth = async (payload: AlarmNotificationPayload) => {
    const element = createElement(AlarmNotificationEmail, { payload });
    return { html: await render(element), text: await render(element, { plainText: true }) };
  };

  it("has a subject line per reason", () => {
    assert.equal(subject(examplePayloads.alarm), "ALARM: Disk space (host:web1) — / is 95% full");
    assert.equal(subject({ ...examplePayloads.alarm, tags: [] }), "ALARM: Disk space — / is 95% full");
    assert.equal(subject(examplePayloads.recovery), "RECOVERED: Disk space (host:web1)");
    assert.equal(subject(examplePayloads.error), "ERROR: Disk space (host:web1) — TypeError: Cannot read properties of undefined (reading 'Use%')");
    assert.equal(subject({ ...examplePayloads.no_data, tags: [] }), "NO DATA: Disk space — no instance for 30 minutes");
    assert.equal(subject({ ...examplePayloads.no_data, message: null, tags: [] }), "NO DATA: Disk space — no new instance arrived");
    assert.equal(subject(examplePayloads.renotify), "STILL ALARM: Disk space (host:web1) — / is 95% full");
    assert.equal(subject({ ...examplePayloads.renotify, state: "error", message: "boom" }), "STILL ERROR: Disk space (host:web1) — boom");
    assert.equal(subject({ ...examplePayloads.alarm, message: null, tags: [] }), "ALARM: Disk space — the check returned true");
  });

  it("keeps subjects on one line and short", () => {
    const s = subject({ ...examplePayloads.alarm, message: `line one\nline two\r\n${"x".repeat(300)}` });
    assert.ok(!/[\r\n]/.test(s));
    assert.ok(s.startsWith("ALARM: Disk space (host:web1) — line one line two xxx"));
    assert.ok([...s].length <= 150 && s.endsWith("…"));
  });

  it("shows the alarm, message, marked rows and links in HTML and in plain text", async () => {
    const payload = examplePayloads.alarm;
    const { html, text } = await renderBoth(payload);
    for (const out of [html, text]) {
      assert.ok(out.includes("Disk space is in alarm"));
      assert.ok(out.includes("/ is 95% full"));
      assert.ok(out.includes("host:web1"));
      assert.ok(out.includes(MARK));
      assert.ok(out.includes(payload.instance!.url));
      assert.ok(out.includes(payload.alarm.url));
      assert.ok(out.includes(payload.settingsUrl));
      assert.ok(out.includes("Tue, 14 May 2024 09:30:10 UTC"), "the instance's time, UTC");
      assert.ok(out.includes("22 more rows not shown"));
    }
    // HTML: tables only (no flex or grid), the marked row with a red left border and background.
    assert.ok(!/display:\s*(flex|grid)/.test(html));
    assert.match(html, /background:#fef2f2;border-left:4px solid #dc2626;[^"]*">▶\uFE0E<\/td>/);
    assert.match(html, /font-weight:700">Filesystem<\/td>/, "header cells are bold");
  });

  it("lays the instance out as a fixed-width table in plain text, the marked row flagged", async () => {
    const { text } = await renderBoth(examplePayloads.alarm);
    const lines = text.split("\n");
    const header = lines.find((l) => l.includes("Filesystem"))!;
    const marked = lines.find((l) => l.includes("/dev/sda1"))!;
    const plain = lines.find((l) => l.includes("tmpfs"))!;
    assert.ok(marked.startsWith(MARK), marked);
    assert.ok(!plain.includes(MARK) && /^\s+tmpfs/.test(plain), plain);
    for (const line of [marked, plain]) {
      assert.equal(line.indexOf("/dev/sda1") >= 0 ? line.indexOf("/dev/sda1") : line.indexOf("tmpfs"), header.indexOf("Filesystem"));
    }
    assert.equal(marked.indexOf("95%"), header.indexOf("Use%"), "columns line up");
    // No link text glued to the next button's text.
    assert.ok(!/aaOpen/.test(text));
  });

  it("shows at most 20 rows, and how many more there are", async () => {
    const rows = [["n", "value"], ...Array.from({ length: 30 }, (_, i) => [`row${i + 1}`, i])];
    const payload = { ...examplePayloads.alarm, instance: { ...examplePayloads.alarm.instance!, rows, header: [0], totalRows: 57, markedRows: [3] } };
    const { text, html } = await renderBoth(payload);
    assert.ok(text.includes("row19") && !text.includes("row20 "), "the first 20 rows (header + 19)");
    assert.ok(!html.includes("row20<"));
    assert.ok(text.includes("37 more rows not shown"));
    assert.ok(text.split("\n").find((l) => l.includes("row3 "))!.startsWith(MARK));
  });

  it("renders every reason; no data without an instance, recovery without a message", async () => {
    const noData = await renderBoth(examplePayloads.no_data);
    assert.ok(noData.text.includes("Disk space has gone silent"));
    assert.ok(noData.text.includes("no instance for 30 minutes"));
    assert.ok(!noData.text.includes("Instance:") && !noData.text.includes("rows not shown"));
    assert.ok(noData.text.includes(`Alarm: ${examplePayloads.no_data.alarm.url}`));
    const recovery = await renderBoth(examplePayloads.recovery);
    assert.ok(recovery.text.includes("Disk space is back to OK"));
    assert.ok(recovery.text.includes("OK (was ALARM)"));
    assert.ok(!recovery.text.includes(MARK));
    const error = await renderBoth(examplePayloads.error);
    assert.ok(error.text.includes("the check failed with an error"));
    assert.ok(error.text.includes("TypeError: Cannot read properties of undefined"));
    const renotify = await renderBoth(examplePayloads.renotify);
    assert.ok(renotify.text.includes("Disk space is still in alarm"));
  });

  it("escapes what the check and the data say", async () => {
    const payload = { ...examplePayloads.alarm, message: "<b>bold</b> & <script>x</script>", alarm: { ...examplePayloads.alarm.alarm, name: "<img src=x>" } };
    const { html } = await renderBoth(payload);
    assert.ok(!html.includes("<script>x") && !html.includes("<img src=x>"));
    assert.ok(html.includes("&lt;script&gt;"));
  });
});

describe("webhook targets on hosted instances", () => {
  it("localhost, private, link-local (cloud metadata) and mapped addresses are private; public ones are not", async () => {
    const { isPrivateWebhookTarget } = await import("../../server/alarm/webhook");
    for (const url of [
      "http://localhost:8080/x",
      "http://api.localhost/",
      "http://127.0.0.1/",
      "http://10.1.2.3/",
      "http://172.20.0.1/",
      "http://192.168.1.1/",
      "http://169.254.169.254/latest/meta-data",
      "http://[::1]/",
      "http://[fd00::1]/",
      "http://[::ffff:127.0.0.1]/",
      "http://0.0.0.0/",
    ]) {
      assert.equal(isPrivateWebhookTarget(url), true, url);
    }
    for (const url of ["https://hooks.example.com/x", "https://8.8.8.8/", "http://172.32.0.1/", "http://[2001:db8::1]/"]) {
      assert.equal(isPrivateWebhookTarget(url), false, url);
    }
  });
});
