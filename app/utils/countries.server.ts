/** The country list of the invoice data form (ISO 3166-1 alpha-2 codes with English names). */
export { countryOptions, type CountryOption } from "../../server/invoice/countries";
