import assert from "node:assert/strict";
import path from "node:path";
import { describe, it } from "node:test";
import { ConfigError, loadConfig } from "../../server/config";

describe("configuration from the environment", () => {
  it("defaults to port 3000, ./data and caught mail", () => {
    const config = loadConfig({});
    assert.equal(config.port, 3000);
    assert.equal(config.appUrl, "http://localhost:3000");
    assert.equal(config.dataDir, path.resolve("./data"));
    assert.equal(config.databaseUrl, undefined);
    assert.equal(config.smtpUrl, undefined);
    assert.equal(config.devTools, true);
    assert.equal(config.secureCookies, false);
  });

  it("names the bad variable when a value is invalid", () => {
    assert.throws(() => loadConfig({ PORT: "abc" }), (e: Error) => e instanceof ConfigError && /PORT/.test(e.message));
    assert.throws(() => loadConfig({ DATABASE_URL: "mysql://x" }), (e: Error) => /DATABASE_URL/.test(e.message));
    assert.throws(() => loadConfig({ SMTP_URL: "not a url" }), (e: Error) => /SMTP_URL/.test(e.message));
    assert.throws(() => loadConfig({ NODE_ENV: "staging" }), (e: Error) => /NODE_ENV/.test(e.message));
  });

  it("makes cookies Secure when the app is served over https", () => {
    const config = loadConfig({ APP_URL: "https://tablewatch.example.com/" });
    assert.equal(config.secureCookies, true);
    assert.equal(config.appUrl, "https://tablewatch.example.com");
  });

  it("turns the development mailbox off in production", () => {
    assert.equal(loadConfig({ NODE_ENV: "production" }).devTools, false);
  });

  it("treats empty variables as unset", () => {
    assert.equal(loadConfig({ DATABASE_URL: "", PORT: "" }).port, 3000);
  });
});
