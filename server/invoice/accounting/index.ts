import type { Config } from "../../config";
import { createInfaktAccounting } from "./infakt";
import { createLocalAccounting } from "./local";
import type { AccountingProvider } from "./types";

/** The configured accounting service (ACCOUNTING_PROVIDER): Infakt's API, or the local provider. */
export function createAccountingProvider(config: Pick<Config, "accounting">): AccountingProvider {
  const { accounting } = config;
  if (accounting.provider === "infakt") {
    if (!accounting.infakt.apiKey) throw new Error("INFAKT_API_KEY is required when ACCOUNTING_PROVIDER=infakt");
    return createInfaktAccounting({ apiKey: accounting.infakt.apiKey, apiUrl: accounting.infakt.apiUrl });
  }
  return createLocalAccounting();
}
