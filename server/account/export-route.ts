import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { TRPCError } from "@trpc/server";
import { getHTTPStatusCodeFromError } from "@trpc/server/http";
import type { NextFunction, Request, Response } from "express";
import type { Deps } from "../deps";
import { requestMeta } from "../http/request-meta";
import { createContext } from "../trpc";
import { createCaller } from "../trpc/root";
import { exportFileName } from "./export";

export const EXPORT_PATH = "/account/export.json";

/**
 * GET /account/export.json: the account's JSON archive as a download. Served by Express rather
 * than a Remix resource route so that the stream is piped with backpressure (a slow download
 * never makes the server buffer the archive); access is decided by the tRPC procedure
 * accountExport.archive (owners and admins), like every other call.
 */
export function accountExportHandler(deps: Deps) {
  return (req: Request, res: Response, next: NextFunction) => {
    serve(deps, req, res).catch(next);
  };
}

async function serve(deps: Deps, req: Request, res: Response): Promise<void> {
  if (!res.locals.auth.user) {
    res.redirect(302, `/login?redirectTo=${encodeURIComponent("/settings/account")}`);
    return;
  }
  const caller = createCaller(createContext(deps, Object.assign(requestMeta(deps.config, req), res.locals.auth)));
  let chunks: AsyncIterable<string>;
  let accountName: string;
  try {
    accountName = (await caller.account.current()).account.name;
    chunks = await caller.accountExport.archive();
  } catch (error) {
    if (!(error instanceof TRPCError) || error.code === "INTERNAL_SERVER_ERROR") throw error;
    res.status(getHTTPStatusCodeFromError(error)).type("text/plain").send(error.message);
    return;
  }
  res.status(200);
  res.setHeader("Content-Type", "application/json; charset=utf-8");
  res.setHeader("Content-Disposition", `attachment; filename="${exportFileName(accountName)}"`);
  res.setHeader("Cache-Control", "no-store");
  try {
    await pipeline(Readable.from(chunks), res);
  } catch (error) {
    // A download the browser cancelled is not an error of ours.
    if ((error as { code?: string }).code !== "ERR_STREAM_PREMATURE_CLOSE") console.error("account export failed", error);
    res.destroy();
  }
}
