import { badRequest } from "../errors";

const UUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;

/** Any UUID spelling (with or without dashes, any case) → the canonical dashed form. */
export function parseId(value: string): string {
  const v = value.trim();
  if (!UUID.test(v.replace(/^\{|\}$/g, ""))) throw badRequest(`Invalid id format ${value.slice(0, 100)}`);
  const hex = v.replace(/[{}-]/g, "").toLowerCase();
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Ids in the public API are 32 lowercase hex characters. */
export function publicId(uuid: string): string {
  return uuid.replace(/-/g, "").toLowerCase();
}
