import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { redactKey } from "../../server/access-log/middleware";

describe("access log redaction", () => {
  it("never logs an API key given as ?key=", () => {
    assert.equal(redactKey("/api/v1/account?key=tw_live_secret&x=1"), "/api/v1/account?key=[redacted]&x=1");
  });
  it("never logs a one-time token", () => {
    assert.equal(redactKey("/reset-password?token=abc123"), "/reset-password?token=[redacted]");
    assert.equal(redactKey("/x?a=1&TOKEN=abc"), "/x?a=1&TOKEN=[redacted]");
  });
  it("leaves other URLs alone", () => {
    assert.equal(redactKey("/dashboard?monkey=1"), "/dashboard?monkey=1");
  });
});
