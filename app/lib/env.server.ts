/**
 * The one configuration module. The web server and the workers both call `loadConfig()` at start,
 * and refuse to start with a message per bad value (Epic Stack style: zod at the edge).
 *
 * With no DATABASE_URL the app runs on embedded PGlite in DATA_DIR, and any secret not given is
 * generated once and kept in DATA_DIR/secrets.json (mode 0600), so a second start reuses the data.
 * With DATABASE_URL (production) every secret must come from the environment.
 */
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { z } from "zod";
import { DEFAULT_TWILIO_VOICE, JA_JP_VOICES, type JaVoice } from "./twiml-voice";

const base64Key = (bytes: number, name: string) =>
  z
    .string()
    .refine((v) => Buffer.from(v, "base64").length === bytes, {
      message: `${name} must be ${bytes} random bytes in base64 (for example: openssl rand -base64 ${bytes})`,
    });

const optionalNonEmpty = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === "" ? undefined : v.trim()));

const envSchema = z
  .object({
    NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    HOST: z.string().min(1).default("127.0.0.1"),
    DATABASE_URL: optionalNonEmpty.refine((v) => v === undefined || /^postgres(ql)?:\/\//.test(v), {
      message: "DATABASE_URL must start with postgres:// or postgresql://",
    }),
    DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(100).default(10),
    DATA_DIR: z.string().min(1).default("./data"),
    PUBLIC_BASE_URL: optionalNonEmpty.refine((v) => v === undefined || /^https?:\/\/[^/]+$/.test(v.replace(/\/$/, "")), {
      message: "PUBLIC_BASE_URL must be an origin such as https://kokusai.example.jp (no path)",
    }),
    SESSION_SECRET: optionalNonEmpty.refine((v) => v === undefined || v.length >= 32, {
      message: "SESSION_SECRET must be at least 32 characters",
    }),
    PII_ENCRYPTION_KEY: optionalNonEmpty.pipe(base64Key(32, "PII_ENCRYPTION_KEY").optional()),
    PII_HASH_KEY: optionalNonEmpty.pipe(base64Key(32, "PII_HASH_KEY").optional()),
    /** Seed of the Ed25519 key that signs carrier batches (the carriers hold its public key). */
    CARRIER_SIGNING_KEY: optionalNonEmpty.pipe(base64Key(32, "CARRIER_SIGNING_KEY").optional()),
    /** SLA monitor: a batch's orders should be acknowledged within this many hours of being cut… */
    CARRIER_SLA_ACK_HOURS: z.coerce.number().positive().max(24 * 90).default(24),
    /** …and each order should have its result within this many hours of being made. */
    CARRIER_SLA_DONE_HOURS: z.coerce.number().positive().max(24 * 365).default(120),
    /** Push deliveries: seconds before an attempt times out, retries, and the first retry's delay (doubling after). */
    CARRIER_PUSH_TIMEOUT_SECONDS: z.coerce.number().positive().max(600).default(30),
    CARRIER_PUSH_RETRY_LIMIT: z.coerce.number().int().min(0).max(50).default(10),
    CARRIER_PUSH_RETRY_DELAY_SECONDS: z.coerce.number().int().min(1).max(86_400).default(30),
    TWILIO_ACCOUNT_SID: optionalNonEmpty.refine((v) => v === undefined || /^AC[0-9a-fA-F]{32}$/.test(v), {
      message: "TWILIO_ACCOUNT_SID must look like AC followed by 32 hexadecimal characters",
    }),
    TWILIO_AUTH_TOKEN: optionalNonEmpty,
    TWILIO_FROM_NUMBER: optionalNonEmpty.refine((v) => v === undefined || /^\+[1-9]\d{6,14}$/.test(v), {
      message: "TWILIO_FROM_NUMBER must be an E.164 number such as +81312345678",
    }),
    /** The voice of every <Say> (a ja-JP voice Twilio supports). */
    TWILIO_VOICE: optionalNonEmpty.pipe(
      z.enum(JA_JP_VOICES, { errorMap: () => ({ message: `TWILIO_VOICE must be a Japanese voice Twilio supports: ${JA_JP_VOICES.join(", ")}` }) }).optional(),
    ),
    CENTRE_PHONE_NUMBER: z
      .string()
      .regex(/^\+81\d{9,10}$/, "CENTRE_PHONE_NUMBER must be an E.164 Japanese number such as +81120000000")
      .default("+81570000110"),
    /** Where paper forms are faxed (issue 15): printed on every form, letter and receipt. */
    CENTRE_FAX_NUMBER: z
      .string()
      .regex(/^\+81\d{9,10}$/, "CENTRE_FAX_NUMBER must be an E.164 Japanese number such as +81312345678")
      .default("+81570000119"),
    /** Where paper forms are mailed: 〒 and the address on one line (demo value by default). */
    CENTRE_POSTAL_ADDRESS: z
      .string()
      .trim()
      .min(8, "CENTRE_POSTAL_ADDRESS must be the centre's postal code and address, e.g. 〒100-0004 東京都千代田区大手町1-1-1")
      .max(120, "CENTRE_POSTAL_ADDRESS must be at most 120 characters")
      .default("〒100-0004 東京都千代田区大手町1-1-1（デモ用の住所）"),
    /** When people answer the phone, in plain words (the automated voice is always 24 hours). */
    CENTRE_OPERATOR_HOURS: z
      .string()
      .trim()
      .min(2, "CENTRE_OPERATOR_HOURS must say when operators answer, e.g. 平日 9時〜17時")
      .max(60, "CENTRE_OPERATOR_HOURS must be at most 60 characters")
      .default("平日 9時〜17時（土日・祝日・年末年始はお休み）"),
    OPERATOR_NUMBER: optionalNonEmpty.refine((v) => v === undefined || /^\+[1-9]\d{6,14}$/.test(v), {
      message: "OPERATOR_NUMBER must be an E.164 number",
    }),
    RUN_WORKERS: z.enum(["auto", "true", "false"]).default("auto"),
    SEED_DEMO_DATA: z.enum(["auto", "true", "false"]).default("auto"),
    DEMO_OPERATOR_PASSWORD: optionalNonEmpty.refine((v) => v === undefined || v.length >= 12, {
      message: "DEMO_OPERATOR_PASSWORD must be at least 12 characters",
    }),
    /** A folder a FAX server writes received faxes to; each new file becomes a paper intake. */
    INTAKE_DIR: optionalNonEmpty,
    LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  })
  .superRefine((env, ctx) => {
    const twilio = [env.TWILIO_ACCOUNT_SID, env.TWILIO_AUTH_TOKEN, env.TWILIO_FROM_NUMBER];
    const given = twilio.filter((v) => v !== undefined).length;
    if (given !== 0 && given !== 3) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ["TWILIO_ACCOUNT_SID"],
        message: "set all of TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_FROM_NUMBER, or none (then the outbox is used)",
      });
    }
    if (given === 3 && env.PUBLIC_BASE_URL === undefined) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ["PUBLIC_BASE_URL"],
        message: "PUBLIC_BASE_URL is required with Twilio: webhook signatures are checked against the public URL",
      });
    }
    if (env.DATABASE_URL !== undefined) {
      for (const key of ["SESSION_SECRET", "PII_ENCRYPTION_KEY", "PII_HASH_KEY", "CARRIER_SIGNING_KEY"] as const) {
        if (env[key] === undefined) {
          ctx.addIssue({
            code: z.ZodIssueCode.custom,
            path: [key],
            message: `${key} is required with DATABASE_URL (secrets are generated only for the embedded database)`,
          });
        }
      }
    }
  });

export type Config = {
  nodeEnv: "development" | "production" | "test";
  port: number;
  host: string;
  publicBaseUrl: string;
  database: { kind: "pglite"; dataDir: string } | { kind: "postgres"; url: string; poolSize: number };
  dataDir: string;
  /**
   * carrierSigningKey: the 32-byte Ed25519 seed for carrier batch signatures. Always set by
   * loadConfig; optional in the type so configurations built by hand (tests) need not carry it.
   */
  secrets: { sessionSecret: string; piiEncryptionKey: Buffer; piiHashKey: Buffer; carrierSigningKey?: Buffer };
  /** Carrier dispatch settings (defaults in app/lib/carrier-config.server.ts when absent). */
  carrier?: {
    slaAckHours: number;
    slaDoneHours: number;
    pushTimeoutSeconds: number;
    pushRetryLimit: number;
    pushRetryDelaySeconds: number;
  };
  twilio: { accountSid: string; authToken: string; fromNumber: string } | null;
  /** The ja-JP voice of every <Say> (TWILIO_VOICE); optional so hand-built configurations need not carry it. */
  twilioVoice?: JaVoice;
  centrePhoneNumber: string;
  /**
   * The centre's FAX number (E.164), postal address and operators' hours (issue 15, point 3).
   * Optional so hand-built configurations need not carry them: read through centreContact()
   * (app/lib/centre-contact.ts), which falls back to the demo values.
   */
  centreFaxNumber?: string;
  centrePostalAddress?: string;
  centreOperatorHours?: string;
  operatorNumber: string | null;
  runWorkersInProcess: boolean;
  seedDemoData: boolean;
  demoOperatorPassword: string | undefined;
  logLevel: z.infer<typeof envSchema>["LOG_LEVEL"];
  /** Watched folder for FAX intake (absolute), or null. */
  intakeDir?: string | null;
};

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

type StoredSecrets = {
  sessionSecret: string;
  piiEncryptionKey: string;
  piiHashKey: string;
  demoOperatorPassword: string;
  carrierSigningKey: string;
};

/** Easy to read aloud and type: no 0/O or 1/l/I. */
function readablePassword(): string {
  const alphabet = "abcdefghjkmnpqrstuvwxyz23456789";
  const bytes = randomBytes(16);
  const chars = Array.from(bytes, (b) => alphabet[b % alphabet.length]).join("");
  return `${chars.slice(0, 4)}-${chars.slice(4, 8)}-${chars.slice(8, 12)}-${chars.slice(12, 16)}`;
}

/** Reads DATA_DIR/secrets.json, creating it with fresh random secrets on the first start. */
function embeddedSecrets(dataDir: string): StoredSecrets {
  const file = path.join(dataDir, "secrets.json");
  if (fs.existsSync(file)) {
    const parsed = JSON.parse(fs.readFileSync(file, "utf8")) as Partial<StoredSecrets>;
    if (parsed.sessionSecret && parsed.piiEncryptionKey && parsed.piiHashKey) {
      if (!parsed.carrierSigningKey) {
        // A data folder from before carrier dispatch: add the signing key once, keeping every other secret.
        const upgraded = { ...parsed, carrierSigningKey: randomBytes(32).toString("base64") };
        fs.writeFileSync(file, JSON.stringify(upgraded, null, 2), { mode: 0o600 });
        return embeddedSecrets(dataDir);
      }
      return { ...parsed, demoOperatorPassword: parsed.demoOperatorPassword ?? readablePassword() } as StoredSecrets;
    }
    throw new ConfigError([`${file} is incomplete; restore it from a backup (the personal data cannot be read without it)`]);
  }
  fs.mkdirSync(dataDir, { recursive: true });
  const fresh: StoredSecrets = {
    sessionSecret: randomBytes(32).toString("base64url"),
    piiEncryptionKey: randomBytes(32).toString("base64"),
    piiHashKey: randomBytes(32).toString("base64"),
    demoOperatorPassword: readablePassword(),
    carrierSigningKey: randomBytes(32).toString("base64"),
  };
  // "wx": never overwrite a file another process created a moment ago.
  try {
    fs.writeFileSync(file, JSON.stringify(fresh, null, 2), { mode: 0o600, flag: "wx" });
    return fresh;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return embeddedSecrets(dataDir);
    throw error;
  }
}

export function loadConfig(source: Record<string, string | undefined> = process.env): Config {
  const parsed = envSchema.safeParse(source);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join(".") || "environment"}: ${i.message}`));
  }
  const env = parsed.data;
  const dataDir = path.resolve(env.DATA_DIR);
  const embedded = env.DATABASE_URL === undefined;
  const stored = embedded ? embeddedSecrets(dataDir) : undefined;
  const sessionSecret = env.SESSION_SECRET ?? stored!.sessionSecret;
  const piiEncryptionKey = Buffer.from(env.PII_ENCRYPTION_KEY ?? stored!.piiEncryptionKey, "base64");
  const piiHashKey = Buffer.from(env.PII_HASH_KEY ?? stored!.piiHashKey, "base64");
  const carrierSigningKey = Buffer.from(env.CARRIER_SIGNING_KEY ?? stored!.carrierSigningKey, "base64");
  const publicBaseUrl = (env.PUBLIC_BASE_URL ?? `http://localhost:${env.PORT}`).replace(/\/$/, "");

  return {
    nodeEnv: env.NODE_ENV,
    port: env.PORT,
    host: env.HOST,
    publicBaseUrl,
    database: embedded
      ? { kind: "pglite", dataDir: path.join(dataDir, "pglite") }
      : { kind: "postgres", url: env.DATABASE_URL!, poolSize: env.DATABASE_POOL_SIZE },
    dataDir,
    secrets: { sessionSecret, piiEncryptionKey, piiHashKey, carrierSigningKey },
    carrier: {
      slaAckHours: env.CARRIER_SLA_ACK_HOURS,
      slaDoneHours: env.CARRIER_SLA_DONE_HOURS,
      pushTimeoutSeconds: env.CARRIER_PUSH_TIMEOUT_SECONDS,
      pushRetryLimit: env.CARRIER_PUSH_RETRY_LIMIT,
      pushRetryDelaySeconds: env.CARRIER_PUSH_RETRY_DELAY_SECONDS,
    },
    twilio:
      env.TWILIO_ACCOUNT_SID && env.TWILIO_AUTH_TOKEN && env.TWILIO_FROM_NUMBER
        ? { accountSid: env.TWILIO_ACCOUNT_SID, authToken: env.TWILIO_AUTH_TOKEN, fromNumber: env.TWILIO_FROM_NUMBER }
        : null,
    twilioVoice: env.TWILIO_VOICE ?? DEFAULT_TWILIO_VOICE,
    centrePhoneNumber: env.CENTRE_PHONE_NUMBER,
    centreFaxNumber: env.CENTRE_FAX_NUMBER,
    centrePostalAddress: env.CENTRE_POSTAL_ADDRESS,
    centreOperatorHours: env.CENTRE_OPERATOR_HOURS,
    operatorNumber: env.OPERATOR_NUMBER ?? null,
    runWorkersInProcess: env.RUN_WORKERS === "auto" ? embedded : env.RUN_WORKERS === "true",
    seedDemoData: env.SEED_DEMO_DATA === "auto" ? embedded : env.SEED_DEMO_DATA === "true",
    demoOperatorPassword: env.DEMO_OPERATOR_PASSWORD ?? stored?.demoOperatorPassword,
    logLevel: env.LOG_LEVEL,
    intakeDir: env.INTAKE_DIR ? path.resolve(env.INTAKE_DIR) : null,
  };
}

/** For process entry points: the configuration, or one line per bad value on stderr and exit 1. */
export function loadConfigOrExit(source: Record<string, string | undefined> = process.env): Config {
  try {
    return loadConfig(source);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}
