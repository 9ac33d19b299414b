/**
 * The centre's Ed25519 key for carrier batches (node:crypto, no dependency). The private key is the
 * 32-byte seed in CARRIER_SIGNING_KEY (generated into DATA_DIR/secrets.json by the embedded default);
 * carriers hold the public key, shown on the carrier pages, in the back office and by the API.
 */
import { createHash, createPrivateKey, createPublicKey, sign, verify, type KeyObject } from "node:crypto";
import type { Config } from "./env.server";

/** PKCS#8 DER prefix of an Ed25519 private key; the 32-byte seed follows. */
const PKCS8_ED25519_PREFIX = Buffer.from("302e020100300506032b657004220420", "hex");
/** SPKI DER prefix of an Ed25519 public key; the 32 raw bytes follow. */
const SPKI_ED25519_PREFIX = Buffer.from("302a300506032b6570032100", "hex");

export type BatchSigner = {
  keyId: string;
  publicKey: KeyObject;
  publicKeyPem: string;
  /** The 32 raw bytes, base64. */
  publicKeyRaw: string;
  sign(text: string): string;
};

export type PublicKeyInfo = { algorithm: "Ed25519"; keyId: string; publicKeyPem: string; publicKeyRaw: string };

export function keyIdOf(publicKeyRaw: Buffer): string {
  return createHash("sha256").update(publicKeyRaw).digest("hex").slice(0, 16);
}

export function signerFromSeed(seed: Buffer): BatchSigner {
  if (seed.length !== 32) throw new Error("CARRIER_SIGNING_KEY must be 32 bytes");
  const privateKey = createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]), format: "der", type: "pkcs8" });
  const publicKey = createPublicKey(privateKey);
  const raw = (publicKey.export({ format: "der", type: "spki" }) as Buffer).subarray(SPKI_ED25519_PREFIX.length);
  return {
    keyId: keyIdOf(raw),
    publicKey,
    publicKeyPem: publicKey.export({ format: "pem", type: "spki" }).toString(),
    publicKeyRaw: raw.toString("base64"),
    sign: (text) => sign(null, Buffer.from(text, "utf8"), privateKey).toString("base64"),
  };
}

const cache = new WeakMap<Buffer, BatchSigner>();

export function batchSigner(config: Config): BatchSigner {
  const seed = config.secrets.carrierSigningKey;
  if (!seed) throw new Error("CARRIER_SIGNING_KEY is not configured: carrier batches cannot be signed");
  let signer = cache.get(seed);
  if (!signer) {
    signer = signerFromSeed(seed);
    cache.set(seed, signer);
  }
  return signer;
}

export function publicKeyInfo(config: Config): PublicKeyInfo {
  const signer = batchSigner(config);
  return { algorithm: "Ed25519", keyId: signer.keyId, publicKeyPem: signer.publicKeyPem, publicKeyRaw: signer.publicKeyRaw };
}

/** A public key from PEM or from the 32 raw bytes in base64. */
export function publicKeyFrom(text: string): KeyObject {
  const trimmed = text.trim();
  if (trimmed.startsWith("-----BEGIN")) return createPublicKey(trimmed);
  const raw = Buffer.from(trimmed, "base64");
  if (raw.length !== 32) throw new Error("an Ed25519 public key is 32 bytes");
  return createPublicKey({ key: Buffer.concat([SPKI_ED25519_PREFIX, raw]), format: "der", type: "spki" });
}

export function verifySignature(publicKey: KeyObject, text: string, signatureBase64: string): boolean {
  try {
    return verify(null, Buffer.from(text, "utf8"), publicKey, Buffer.from(signatureBase64, "base64"));
  } catch {
    return false;
  }
}
