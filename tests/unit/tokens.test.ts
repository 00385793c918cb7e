import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { scopeAllows } from "../../server/api-key/service";
import { randomToken, sha256, uuidv7 } from "../../server/tokens";

describe("tokens and keys", () => {
  it("random tokens carry 256 bits by default and never repeat", () => {
    const tokens = new Set(Array.from({ length: 1000 }, () => randomToken()));
    assert.equal(tokens.size, 1000);
    for (const t of tokens) assert.equal(Buffer.from(t, "base64url").length, 32);
  });
  it("stores secrets as SHA-256 hex", () => {
    assert.equal(sha256("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  });
  it("UUIDv7 ids sort by creation time", () => {
    const a = uuidv7();
    const b = uuidv7({ msecs: Date.now() + 5 });
    assert.ok(a < b);
    assert.match(a, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
  it("a full key may do everything, others only their own scope", () => {
    assert.ok(scopeAllows("full", "read") && scopeAllows("full", "ingest"));
    assert.ok(scopeAllows("read", "read") && !scopeAllows("read", "ingest"));
    assert.ok(scopeAllows("ingest", "ingest") && !scopeAllows("ingest", "read"));
  });
});
