import type { IncomingMessage } from "node:http";
import type { Config } from "../config";

/** Client address: the socket's, or the first X-Forwarded-For entry when a proxy is trusted. */
export function clientIp(config: Config, req: IncomingMessage): string {
  if (config.trustProxy) {
    const forwarded = req.headers["x-forwarded-for"];
    const first = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(",")[0]?.trim();
    if (first) return first;
  }
  return req.socket.remoteAddress?.replace(/^::ffff:/, "") ?? "unknown";
}

export function requestMeta(config: Config, req: IncomingMessage) {
  return {
    ip: clientIp(config, req),
    userAgent: String(req.headers["user-agent"] ?? ""),
    // Never from the Host header: a forged Host must not end up in a reset link.
    baseUrl: config.appUrl,
    user: null,
    session: null,
    apiKey: null,
  };
}
