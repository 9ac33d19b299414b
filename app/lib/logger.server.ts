/**
 * Structured logs (pino). Personal data never goes into logs: callers log ids and codes only, and as
 * a second line of defence any key that names personal data is redacted wherever it appears.
 */
import pino, { type Logger } from "pino";

export const REDACTED_KEYS = [
  "name",
  "kana",
  "subscriberName",
  "subscriberKana",
  "applicantName",
  "address",
  "postalCode",
  "contactPhone",
  "phone",
  "to",
  "from",
  "body",
  "code",
  "password",
  "token",
  "e164",
  "Caller",
  "From",
  "To",
  "SpeechResult",
  "Digits",
];

export type { Logger };

export function createLogger(options: { level?: string; destination?: pino.DestinationStream } = {}): Logger {
  return pino(
    {
      level: options.level ?? "info",
      base: { service: "kokusai" },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: {
        paths: [...REDACTED_KEYS, ...REDACTED_KEYS.map((k) => `*.${k}`), ...REDACTED_KEYS.map((k) => `*.*.${k}`)],
        censor: "[redacted]",
      },
      formatters: { level: (label) => ({ level: label }) },
    },
    options.destination,
  );
}
