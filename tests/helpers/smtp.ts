/**
 * A local SMTP sink for tests (from tests/integration/mail.test.ts), with hooks to refuse
 * connections or messages, or to hold a message's reply, and the small MIME reader the mail tests
 * use.
 */
import assert from "node:assert/strict";
import type { AddressInfo } from "node:net";
import { SMTPServer, type SMTPServerSession } from "smtp-server";

export type Received = { from: string; to: string[]; raw: string; messageId: string | null; sessionId: string };

/** An Error carrying an SMTP reply code, for the hooks below (e.g. 451: try again later). */
export function smtpError(code: number, message: string): Error {
  return Object.assign(new Error(message), { responseCode: code });
}

export type SmtpSinkOptions = {
  /** Called for each new connection; an Error refuses it (as a server that is down would). */
  onConnect?(session: SMTPServerSession): Error | null | undefined;
  /**
   * Called once a message's DATA has arrived, before the reply. Resolve with nothing to accept it,
   * with an Error to refuse it; wait to delay (or hold) the reply. `closed` resolves when the
   * client's connection is gone: a message whose reply never reached the client is not accepted.
   */
  beforeReply?(message: Received, context: { closed: Promise<void> }): Promise<Error | void> | Error | void;
  /** false: keep only the headers of each message (`raw` holds them), for sinks taking thousands of messages. */
  keepRaw?: boolean;
};

export type SmtpSink = {
  port: number;
  url: string;
  /** Messages accepted (the client got a 250 reply). */
  messages: Received[];
  /** Every message whose DATA arrived, accepted or not. */
  received: Received[];
  close(): Promise<void>;
};

/** A local SMTP sink: accepts every message (unless the hooks say otherwise), without auth or TLS. */
export async function startSmtpSink(opts: SmtpSinkOptions = {}): Promise<SmtpSink> {
  const messages: Received[] = [];
  const received: Received[] = [];
  const closedSessions = new Map<string, { promise: Promise<void>; resolve(): void; closed: boolean }>();
  const sessionState = (id: string) => {
    let state = closedSessions.get(id);
    if (!state) {
      let resolve!: () => void;
      const promise = new Promise<void>((r) => (resolve = r));
      state = { promise, resolve, closed: false };
      closedSessions.set(id, state);
    }
    return state;
  };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS", "AUTH"],
    logger: false,
    closeTimeout: 100,
    onConnect(session, callback) {
      callback(opts.onConnect?.(session) ?? null);
    },
    onClose(session) {
      const state = sessionState(session.id);
      state.closed = true;
      state.resolve();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        const full = Buffer.concat(chunks).toString("utf8");
        const raw = opts.keepRaw === false ? full.split(/\r?\n\r?\n/, 1)[0]! : full;
        const message: Received = {
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
          to: session.envelope.rcptTo.map((r) => r.address),
          raw,
          messageId: headerOf(raw, "Message-ID"),
          sessionId: session.id,
        };
        received.push(message);
        const state = sessionState(session.id);
        void (async () => {
          let outcome: Error | void;
          try {
            outcome = await opts.beforeReply?.(message, { closed: state.promise });
          } catch (error) {
            outcome = error as Error;
          }
          if (state.closed) {
            callback(smtpError(421, "connection closed before the reply"));
            return;
          }
          if (outcome instanceof Error) {
            callback(outcome);
            return;
          }
          messages.push(message);
          callback();
        })();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    port,
    url: `smtp://127.0.0.1:${port}`,
    messages,
    received,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** A header's (unfolded) value in a raw message, or null. */
export function headerOf(raw: string, name: string): string | null {
  const headers = raw.split(/\r?\n\r?\n/, 1)[0]!.replace(/\r?\n[ \t]+/g, " ");
  const match = new RegExp(`^${name}:[ \\t]*(.*)$`, "im").exec(headers);
  return match ? match[1]!.trim() : null;
}

/** A header value with RFC 2047 encoded words (=?UTF-8?Q?…?= / =?UTF-8?B?…?=) decoded. */
export function decodeHeader(value: string): string {
  return value
    .replace(/\?=\s+=\?/g, "?==?")
    .replace(/=\?([^?]+)\?([QB])\?([^?]*)\?=/gi, (_, _charset: string, encoding: string, text: string) =>
      encoding.toUpperCase() === "B"
        ? Buffer.from(text, "base64").toString("utf8")
        : Buffer.from(
            text.replace(/_/g, " ").replace(/=([0-9A-F]{2})/gi, (_m, h: string) => String.fromCharCode(parseInt(h, 16))),
            "latin1",
          ).toString("utf8"),
    );
}

/** The decoded text/plain and text/html parts of a MIME message (enough MIME for our mail). */
export function mimeParts(raw: string): { headers: string; parts: Record<string, string> } {
  const [headers = "", body = ""] = raw.split(/\r?\n\r?\n([\s\S]*)/);
  const boundary = /boundary="?([^";\r\n]+)"?/i.exec(headers)?.[1];
  assert.ok(boundary, "the message is multipart");
  const parts: Record<string, string> = {};
  for (const part of body.split(`--${boundary}`)) {
    const [partHeaders = "", partBody = ""] = part.split(/\r?\n\r?\n([\s\S]*)/);
    const type = /content-type:\s*([^;\r\n]+)/i.exec(partHeaders)?.[1]?.trim().toLowerCase();
    if (!type) continue;
    const encoding = /content-transfer-encoding:\s*(\S+)/i.exec(partHeaders)?.[1]?.toLowerCase();
    parts[type] =
      encoding === "base64"
        ? Buffer.from(partBody.replace(/\s+/g, ""), "base64").toString("utf8")
        : encoding === "quoted-printable"
          ? Buffer.from(
              partBody.replace(/=\r?\n/g, "").replace(/=([0-9A-F]{2})/gi, (_, h: string) => String.fromCharCode(parseInt(h, 16))),
              "latin1",
            ).toString("utf8")
          : partBody;
  }
  return { headers, parts };
}

/** Polls `get` until it gives a value (not undefined). */
export async function waitFor<T>(get: () => T | undefined | Promise<T | undefined>, timeoutMs = 5000, what = "a condition"): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await get();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
