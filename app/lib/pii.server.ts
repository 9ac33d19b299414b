/**
 * Personal data at rest: names, addresses, contact numbers and scans are sealed with AES-256-GCM
 * before they reach the database, and where a column must be searched (kana name, contact number)
 * a keyed HMAC-SHA256 of its normalised form is stored beside it. A database dump alone reveals no
 * values; equal hashes do show which rows share a value, and without the hash key nobody can test a
 * guessed value against them.
 *
 * Sealed format: "k1.<iv>.<tag>.<ciphertext>" (base64url). The "k1" key id leaves room to rotate:
 * a new key gets "k2" and old rows stay readable until re-sealed.
 */
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from "node:crypto";

const KEY_ID = "k1";

export type PiiCipher = {
  seal(plain: string): string;
  open(sealed: string): string;
  sealNullable(plain: string | null | undefined): string | null;
  openNullable(sealed: string | null | undefined): string | null;
  sealBytes(plain: Buffer): Buffer;
  openBytes(sealed: Buffer): Buffer;
  /** Keyed hash for equality search; the value is normalised first (see normaliseForSearch). */
  searchHash(value: string): string;
};

/** NFKC folds full-width digits and half-width kana; spaces and hyphens do not change identity. */
export function normaliseForSearch(value: string): string {
  return value
    .normalize("NFKC")
    .replace(/[\s\u3000\-‐‑‒–—―ー－]/g, (ch) => (ch === "ー" ? ch : ""))
    .toLowerCase();
}

export function createPiiCipher(encryptionKey: Buffer, hashKey: Buffer): PiiCipher {
  if (encryptionKey.length !== 32) throw new Error("PII encryption key must be 32 bytes");
  if (hashKey.length < 32) throw new Error("PII hash key must be at least 32 bytes");

  function sealBytes(plain: Buffer): Buffer {
    const iv = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", encryptionKey, iv);
    const body = Buffer.concat([cipher.update(plain), cipher.final()]);
    // Layout: 1 byte version, 12 bytes IV, 16 bytes tag, ciphertext.
    return Buffer.concat([Buffer.from([1]), iv, cipher.getAuthTag(), body]);
  }
  function openBytes(sealed: Buffer): Buffer {
    if (sealed[0] !== 1) throw new Error("unknown sealed-bytes version");
    const decipher = createDecipheriv("aes-256-gcm", encryptionKey, sealed.subarray(1, 13));
    decipher.setAuthTag(sealed.subarray(13, 29));
    return Buffer.concat([decipher.update(sealed.subarray(29)), decipher.final()]);
  }
  function seal(plain: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", encryptionKey, iv);
    const body = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
    return [KEY_ID, iv.toString("base64url"), cipher.getAuthTag().toString("base64url"), body.toString("base64url")].join(".");
  }
  function open(sealed: string): string {
    const [keyId, iv, tag, body] = sealed.split(".");
    if (keyId !== KEY_ID || iv === undefined || tag === undefined || body === undefined) {
      throw new Error("value is not sealed with a known key");
    }
    const decipher = createDecipheriv("aes-256-gcm", encryptionKey, Buffer.from(iv, "base64url"));
    decipher.setAuthTag(Buffer.from(tag, "base64url"));
    // Straight from base64url to text (no intermediate buffers): a carrier batch opens one per record.
    return decipher.update(body, "base64url", "utf8") + decipher.final("utf8");
  }
  return {
    seal,
    open,
    sealNullable: (plain) => (plain === null || plain === undefined || plain === "" ? null : seal(plain)),
    openNullable: (sealed) => (sealed === null || sealed === undefined ? null : open(sealed)),
    sealBytes,
    openBytes,
    searchHash: (value) => createHmac("sha256", hashKey).update(normaliseForSearch(value), "utf8").digest("base64url"),
  };
}
