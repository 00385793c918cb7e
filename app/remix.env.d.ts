/// <reference types="@remix-run/dev" />
/// <reference types="@remix-run/node" />

import type { loadContext } from "../server/app";

declare module "@remix-run/node" {
  interface AppLoadContext extends ReturnType<typeof loadContext> {}
  interface Future {
    v3_singleFetch: true;
  }
}
