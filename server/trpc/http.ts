import * as trpcExpress from "@trpc/server/adapters/express";
import type { Deps } from "../deps";
import { requestMeta } from "../http/request-meta";
import { createContext } from "../trpc";
import { appRouter } from "./root";

/** tRPC over HTTP at /trpc for the pages' client code; the session comes from sessionMiddleware. */
export function trpcMiddleware(deps: Deps) {
  return trpcExpress.createExpressMiddleware({
    router: appRouter,
    createContext: ({ req, res }) => createContext(deps, Object.assign(requestMeta(deps.config, req), res.locals.auth)),
    onError: ({ error, path }) => {
      if (error.code === "INTERNAL_SERVER_ERROR") console.error(`tRPC ${path} failed`, error.cause ?? error);
    },
  });
}
