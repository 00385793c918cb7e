import type { Db } from "../db/client";
import type { Auth } from "./auth/lucia";
import type { Config } from "./config";
import type { Mailer } from "./mail/mailer";
import type { UsageCounter } from "./api-key/usage";
import type { AccessLogWriter } from "./access-log/middleware";
import type { AutomaticTiles } from "./dashboard/automatic";
import type { Sandbox } from "./alarm/sandbox";
import type { AlarmWorker } from "./alarm/worker";
import type { PolicyBroadcast } from "./policy/broadcast";
import type { PaymentProvider } from "./billing/provider/types";
import type { AccountingProvider } from "./invoice/accounting/types";

/** What services need from the running app; built once at boot (server/app.ts). */
export type Deps = {
  db: Db;
  auth: Auth;
  mailer: Mailer;
  config: Config;
  usage: UsageCounter;
  accessLog: AccessLogWriter;
  /** Automatic tiles and series, applied after each ingested instance (in-process queue). */
  automatic: AutomaticTiles;
  /** Runs alarm checks (the editor's Test and, in-process, the worker's evaluations). */
  sandbox: Sandbox;
  /** The in-process alarm worker, or null when workers run apart (ALARM_WORKER=false). */
  alarmWorker: AlarmWorker | null;
  /** The in-process policy-change email sender (with the alarm worker), or null. */
  policyBroadcast?: PolicyBroadcast | null;
  /** The payment processor (PAYMENT_PROVIDER: sandbox or securionpay; ADR 22). */
  payments: PaymentProvider;
  /** The sandbox processor's base URL when PAYMENT_PROVIDER=sandbox (for tests: its clock), else null. */
  paymentSandboxUrl: string | null;
  /** The accounting service that issues invoices (ACCOUNTING_PROVIDER: local or infakt; ADR 23). */
  accounting: AccountingProvider;
};
