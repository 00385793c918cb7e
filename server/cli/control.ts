import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import type { Db } from "../../db/client";
import { runCommand, UsageError } from "./commands";

/**
 * PGlite lets one process open its data folder. While the app runs on the embedded database it
 * listens on a Unix socket inside that folder (reachable only by users who can read the folder),
 * and `npm run tw` hands its command over to be run by the app itself.
 */
export const controlSocketPath = (dataDir: string) => path.join(dataDir, "control.sock");

type Reply = { ok: boolean; output: string };

export function listenForCommands(db: Db, dataDir: string, opts: { appUrl: string }): net.Server {
  const socketPath = controlSocketPath(dataDir);
  fs.rmSync(socketPath, { force: true });
  const server = net.createServer((socket) => {
    let buffer = "";
    socket.setEncoding("utf8");
    socket.on("data", (chunk) => {
      buffer += chunk;
      const newline = buffer.indexOf("\n");
      if (newline === -1) return;
      let argv: string[];
      try {
        argv = JSON.parse(buffer.slice(0, newline));
        if (!Array.isArray(argv) || !argv.every((a) => typeof a === "string")) throw new Error("bad request");
      } catch {
        socket.end(JSON.stringify({ ok: false, output: "Malformed command" } satisfies Reply) + "\n");
        return;
      }
      runCommand(db, argv, opts)
        .then((output) => socket.end(JSON.stringify({ ok: true, output } satisfies Reply) + "\n"))
        .catch((error: unknown) => {
          const output = error instanceof UsageError ? error.message : "The command failed; see the app's log.";
          if (!(error instanceof UsageError)) console.error("tw command failed", error);
          socket.end(JSON.stringify({ ok: false, output } satisfies Reply) + "\n");
        });
    });
    socket.on("error", () => socket.destroy());
  });
  server.listen(socketPath, () => fs.chmodSync(socketPath, 0o600));
  return server;
}

/** Sends a command to the running app; null when no app is listening. */
export function sendCommand(dataDir: string, argv: string[]): Promise<Reply | null> {
  const socketPath = controlSocketPath(dataDir);
  if (!fs.existsSync(socketPath)) return Promise.resolve(null);
  return new Promise((resolve, reject) => {
    const socket = net.createConnection(socketPath);
    let buffer = "";
    socket.setEncoding("utf8");
    socket.on("connect", () => socket.write(JSON.stringify(argv) + "\n"));
    socket.on("data", (chunk) => (buffer += chunk));
    socket.on("end", () => {
      try {
        resolve(JSON.parse(buffer));
      } catch (error) {
        reject(error);
      }
    });
    socket.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code === "ECONNREFUSED" || error.code === "ENOENT") resolve(null);
      else reject(error);
    });
  });
}
