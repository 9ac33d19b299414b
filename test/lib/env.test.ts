import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { ConfigError, loadConfig } from "../../app/lib/env.server";

const tempDir = () => fs.mkdtempSync(path.join(os.tmpdir(), "kokusai-env-"));

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig({ DATA_DIR: tempDir(), ...env });
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe("loadConfig", () => {
  it("defaults to the embedded database on 127.0.0.1:3000 with workers in process", () => {
    const config = loadConfig({ DATA_DIR: tempDir() });
    expect(config.port).toBe(3000);
    expect(config.host).toBe("127.0.0.1");
    expect(config.database.kind).toBe("pglite");
    expect(config.runWorkersInProcess).toBe(true);
    expect(config.seedDemoData).toBe(true);
    expect(config.twilio).toBeNull();
    expect(config.publicBaseUrl).toBe("http://localhost:3000");
  });

  it("generates secrets once and reuses them on the next start", () => {
    const dir = tempDir();
    const first = loadConfig({ DATA_DIR: dir });
    const second = loadConfig({ DATA_DIR: dir });
    expect(first.secrets.piiEncryptionKey.length).toBe(32);
    expect(second.secrets.piiEncryptionKey.equals(first.secrets.piiEncryptionKey)).toBe(true);
    expect(second.secrets.sessionSecret).toBe(first.secrets.sessionSecret);
    expect(second.demoOperatorPassword).toBe(first.demoOperatorPassword);
    expect(fs.statSync(path.join(dir, "secrets.json")).mode & 0o777).toBe(0o600);
  });

  it.each([
    [{ PORT: "abc" }, "PORT"],
    [{ PORT: "70000" }, "PORT"],
    [{ DATABASE_URL: "mysql://x" }, "DATABASE_URL must start with postgres://"],
    [{ PUBLIC_BASE_URL: "example.jp" }, "PUBLIC_BASE_URL must be an origin"],
    [{ PII_ENCRYPTION_KEY: "c2hvcnQ=" }, "PII_ENCRYPTION_KEY must be 32 random bytes"],
    [{ TWILIO_ACCOUNT_SID: "AC" + "0".repeat(32) }, "set all of TWILIO_ACCOUNT_SID"],
    [{ TWILIO_FROM_NUMBER: "0312345678", TWILIO_ACCOUNT_SID: "AC" + "0".repeat(32), TWILIO_AUTH_TOKEN: "t" }, "TWILIO_FROM_NUMBER must be an E.164"],
    [{ DEMO_OPERATOR_PASSWORD: "short" }, "at least 12 characters"],
    [{ LOG_LEVEL: "loud" }, "LOG_LEVEL"],
  ])("refuses %j with a message naming the problem", (env, expected) => {
    const problems = problemsOf(env as Record<string, string>);
    expect(problems.join("\n")).toContain(expected);
  });

  it("requires every secret from the environment with DATABASE_URL", () => {
    const problems = problemsOf({ DATABASE_URL: "postgres://localhost/db" });
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringContaining("SESSION_SECRET is required"),
        expect.stringContaining("PII_ENCRYPTION_KEY is required"),
        expect.stringContaining("PII_HASH_KEY is required"),
        expect.stringContaining("CARRIER_SIGNING_KEY is required"),
      ]),
    );
  });

  it("requires PUBLIC_BASE_URL with Twilio, because signatures are over the public URL", () => {
    const problems = problemsOf({ TWILIO_ACCOUNT_SID: "AC" + "a".repeat(32), TWILIO_AUTH_TOKEN: "tok", TWILIO_FROM_NUMBER: "+81312345678" });
    expect(problems.join("\n")).toContain("PUBLIC_BASE_URL is required with Twilio");
  });

  it("runs workers separately by default on PostgreSQL", () => {
    const key = Buffer.alloc(32, 1).toString("base64");
    const config = loadConfig({
      DATABASE_URL: "postgres://localhost/db",
      SESSION_SECRET: "x".repeat(40),
      PII_ENCRYPTION_KEY: key,
      PII_HASH_KEY: key,
      CARRIER_SIGNING_KEY: key,
      DATA_DIR: tempDir(),
    });
    expect(config.database.kind).toBe("postgres");
    expect(config.runWorkersInProcess).toBe(false);
    expect(config.seedDemoData).toBe(false);
  });
});
