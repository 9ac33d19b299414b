/** argon2id password hashing (OWASP parameters: m=19 MiB, t=2, p=1). */
import { hash, verify } from "@node-rs/argon2";

/** `algorithm: 2` is Algorithm.Argon2id (a const enum, which isolatedModules cannot import). */
const OPTIONS = { algorithm: 2, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export function hashPassword(password: string): Promise<string> {
  return hash(password, OPTIONS);
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}
