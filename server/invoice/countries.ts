/** Countries for invoice data: ISO 3166-1 alpha-2 codes (i18n-iso-countries) with English names. */
import isoCountries from "i18n-iso-countries";
import { countryName } from "./vat";

export type CountryOption = { code: string; name: string };

let cached: CountryOption[] | undefined;

/** Every assigned ISO 3166-1 alpha-2 code with its English name, sorted by name. */
export function countryOptions(): CountryOption[] {
  cached ??= Object.keys(isoCountries.getAlpha2Codes())
    .map((code) => ({ code, name: countryName(code) }))
    .sort((a, b) => a.name.localeCompare(b.name, "en"));
  return cached;
}

export const isCountryCode = (code: string) => /^[A-Z]{2}$/.test(code) && isoCountries.isValid(code);
