/** The carrier settings in the configuration: the signing key (generated like the other secrets) and the SLA and push limits. */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { ConfigError, loadConfig } from "../../app/lib/env.server";
import { carrierSettings, DEFAULT_CARRIER_SETTINGS } from "../../app/lib/carrier-config.server";
import { signerFromSeed } from "../../app/lib/carrier-signing.server";
import { testConfig } from "../support/services";

const tempDir = () => fs.mkdtempSync(path.join(os.tmpdir(), "kokusai-carrier-env-"));
const key = (fill: number) => Buffer.alloc(32, fill).toString("base64");

describe("carrier configuration", () => {
  it("generates the Ed25519 signing key in DATA_DIR/secrets.json and keeps it", () => {
    const dir = tempDir();
    const first = loadConfig({ DATA_DIR: dir });
    expect(first.secrets.carrierSigningKey?.length).toBe(32);
    expect(loadConfig({ DATA_DIR: dir }).secrets.carrierSigningKey!.equals(first.secrets.carrierSigningKey!)).toBe(true);
    expect(JSON.parse(fs.readFileSync(path.join(dir, "secrets.json"), "utf8")).carrierSigningKey).toBe(first.secrets.carrierSigningKey!.toString("base64"));
  });

  it("adds the key to a data folder made before carrier dispatch, keeping every other secret", () => {
    const dir = tempDir();
    const old = { sessionSecret: "s".repeat(43), piiEncryptionKey: key(1), piiHashKey: key(2), demoOperatorPassword: "abcd-efgh-jkmn-pqrs" };
    fs.writeFileSync(path.join(dir, "secrets.json"), JSON.stringify(old), { mode: 0o600 });
    const config = loadConfig({ DATA_DIR: dir });
    expect(config.secrets.piiEncryptionKey.equals(Buffer.from(old.piiEncryptionKey, "base64"))).toBe(true);
    expect(config.demoOperatorPassword).toBe(old.demoOperatorPassword);
    expect(config.secrets.carrierSigningKey?.length).toBe(32);
    const stored = JSON.parse(fs.readFileSync(path.join(dir, "secrets.json"), "utf8"));
    expect(stored).toMatchObject(old);
    expect(fs.statSync(path.join(dir, "secrets.json")).mode & 0o777).toBe(0o600);
  });

  it("requires CARRIER_SIGNING_KEY with DATABASE_URL, and checks its length", () => {
    const base = { DATABASE_URL: "postgres://localhost/db", SESSION_SECRET: "x".repeat(40), PII_ENCRYPTION_KEY: key(1), PII_HASH_KEY: key(2), DATA_DIR: tempDir() };
    expect(() => loadConfig(base)).toThrow(ConfigError);
    try {
      loadConfig(base);
    } catch (error) {
      expect((error as ConfigError).problems.join("\n")).toContain("CARRIER_SIGNING_KEY is required with DATABASE_URL");
    }
    expect(() => loadConfig({ ...base, CARRIER_SIGNING_KEY: "c2hvcnQ=" })).toThrow(/CARRIER_SIGNING_KEY must be 32 random bytes/);
    const config = loadConfig({ ...base, CARRIER_SIGNING_KEY: key(3) });
    expect(signerFromSeed(config.secrets.carrierSigningKey!).keyId).toMatch(/^[0-9a-f]{16}$/);
  });

  it("reads the SLA and push limits, with defaults", () => {
    const defaults = loadConfig({ DATA_DIR: tempDir() });
    expect(defaults.carrier).toEqual(DEFAULT_CARRIER_SETTINGS);
    const set = loadConfig({ DATA_DIR: tempDir(), CARRIER_SLA_ACK_HOURS: "4", CARRIER_SLA_DONE_HOURS: "48", CARRIER_PUSH_RETRY_DELAY_SECONDS: "10", CARRIER_PUSH_RETRY_LIMIT: "3", CARRIER_PUSH_TIMEOUT_SECONDS: "5" });
    expect(set.carrier).toEqual({ slaAckHours: 4, slaDoneHours: 48, pushTimeoutSeconds: 5, pushRetryLimit: 3, pushRetryDelaySeconds: 10 });
    expect(() => loadConfig({ DATA_DIR: tempDir(), CARRIER_SLA_ACK_HOURS: "-1" })).toThrow(ConfigError);
    // A configuration built by hand without the carrier block gets the defaults.
    expect(carrierSettings(testConfig())).toEqual(DEFAULT_CARRIER_SETTINGS);
  });
});
