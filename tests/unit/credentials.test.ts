import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { apiKeyFromRequest } from "../../server/api/credentials";

const basic = (value: string) => ({ authorization: `Basic ${Buffer.from(value).toString("base64")}` });
const none = new URLSearchParams();

describe("API key from the request", () => {
  it("reads the key from the Basic auth user name (curl --user KEY:)", () => {
    assert.equal(apiKeyFromRequest(basic("tw_live_abc:"), none), "tw_live_abc");
  });
  it("reads the key from the Basic auth password when the user name is empty", () => {
    assert.equal(apiKeyFromRequest(basic(":tw_live_abc"), none), "tw_live_abc");
  });
  it("reads a Bearer token", () => {
    assert.equal(apiKeyFromRequest({ authorization: "Bearer tw_live_abc" }, none), "tw_live_abc");
  });
  it("falls back to the key query parameter", () => {
    assert.equal(apiKeyFromRequest({}, new URLSearchParams("key=tw_live_q")), "tw_live_q");
  });
  it("prefers Basic auth over the query parameter", () => {
    assert.equal(apiKeyFromRequest(basic("tw_live_a:"), new URLSearchParams("key=tw_live_q")), "tw_live_a");
  });
  it("gives null when nothing is presented or Basic is empty", () => {
    assert.equal(apiKeyFromRequest({}, none), null);
    assert.equal(apiKeyFromRequest(basic(":"), none), null);
    assert.equal(apiKeyFromRequest({ authorization: "Bearer" }, none), null);
  });
  it("does not throw on a malformed Authorization header", () => {
    assert.doesNotThrow(() => apiKeyFromRequest({ authorization: "Basic %%%not-base64" }, none));
    assert.equal(apiKeyFromRequest({ authorization: "Digest abc" }, none), null);
  });
});
