import { hash, verify } from "@node-rs/argon2";

/** `Algorithm.Argon2id`; the package exports the enum as an ambient const enum. */
const ARGON2ID = 2;

// OWASP's argon2id recommendation (19 MiB, 2 iterations, 1 lane).
const options = { algorithm: ARGON2ID, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

export function hashPassword(password: string): Promise<string> {
  return hash(password, options);
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

/** A hash of a random string, so that an unknown email costs as much time as a known one. */
let dummyHash: Promise<string> | undefined;
export function dummyPasswordHash(): Promise<string> {
  dummyHash ??= hashPassword("not-a-real-password-" + Math.random());
  return dummyHash;
}
