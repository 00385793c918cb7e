import type { IncomingHttpHeaders } from "node:http";

/**
 * The presented API key, tried in the documented order: Basic auth (user name, or password when
 * the user name is empty), then `Authorization: Bearer`, then the `key` query parameter.
 */
export function apiKeyFromRequest(headers: IncomingHttpHeaders, query: URLSearchParams): string | null {
  const authorization = headers.authorization?.trim();
  if (authorization) {
    const [scheme, value = ""] = authorization.split(/\s+/, 2);
    if (scheme?.toLowerCase() === "basic") {
      const decoded = Buffer.from(value, "base64").toString("utf8");
      const colon = decoded.indexOf(":");
      const user = colon === -1 ? decoded : decoded.slice(0, colon);
      const password = colon === -1 ? "" : decoded.slice(colon + 1);
      if (user || password) return user || password;
    } else if (scheme?.toLowerCase() === "bearer" && value) {
      return value;
    }
  }
  return query.get("key") || null;
}
