/**
 * Push delivery: POST a batch's file to the carrier's endpoint, signed twice:
 *  - the Ed25519 manifest signature (the same one pull-mode carriers check), and
 *  - an HMAC-SHA256 with the carrier's push secret over "<timestamp>.<batch id>.<SHA-256 of the body>",
 *    so the endpoint can tell the request comes from the centre before it reads the body.
 * Any answer but 2xx, a network error or a timeout throws: pg-boss retries with backoff (the job was
 * enqueued with the carrier retry policy). Every attempt is recorded in carrier_push_attempts.
 */
import { createHmac, randomBytes } from "node:crypto";
import { and, eq, sql } from "drizzle-orm";
import { carrierBatches, carrierPushAttempts, carriers } from "../../db/schema";
import { defaultDownloadFormat, type FileFormat } from "../domain/carrier-files";
import { carrierSettings } from "./carrier-config.server";
import { batchFile, markSent, summarise } from "./carrier-batches.server";
import type { Services } from "./services.server";

export const PUSH_HEADERS = {
  batchId: "X-Kokusai-Batch-Id",
  carrier: "X-Kokusai-Carrier",
  sequence: "X-Kokusai-Sequence",
  sha256: "X-Kokusai-Content-SHA256",
  manifest: "X-Kokusai-Manifest",
  signature: "X-Kokusai-Signature",
  keyId: "X-Kokusai-Key-Id",
  hmac: "X-Kokusai-HMAC",
} as const;

/** Bodies up to this size are sent with a Content-Length; larger ones are streamed (chunked). */
const BUFFER_LIMIT = 16 * 1024 * 1024;

export function pushHmac(secret: string, timestamp: number, batchId: string, bodySha256: string): string {
  return createHmac("sha256", secret).update(`${timestamp}.${batchId}.${bodySha256}`).digest("hex");
}

export function pushHmacHeader(secret: string, timestamp: number, batchId: string, bodySha256: string): string {
  return `t=${timestamp},v1=${pushHmac(secret, timestamp, batchId, bodySha256)}`;
}

export function parsePushHmacHeader(value: string | null): { timestamp: number; mac: string } | null {
  const match = value?.match(/^t=(\d+),v1=([0-9a-f]{64})$/);
  return match ? { timestamp: Number(match[1]), mac: match[2]! } : null;
}

export function newPushSecret(): string {
  return `whsec_${randomBytes(32).toString("base64url")}`;
}

export class PushFailedError extends Error {
  constructor(
    readonly outcome: string,
    readonly httpStatus: number | null,
  ) {
    super(`push failed: ${outcome}${httpStatus ? ` (HTTP ${httpStatus})` : ""}`);
    this.name = "PushFailedError";
  }
}

export type PushOptions = { fetch?: typeof fetch };

/** One push attempt. Returns "delivered", or "skipped" when there is nothing to do; throws to retry. */
export async function pushBatch(services: Services, batchId: string, options: PushOptions = {}): Promise<"delivered" | "skipped"> {
  const doFetch = options.fetch ?? fetch;
  const [row] = await services.db.select().from(carrierBatches).where(eq(carrierBatches.id, batchId));
  if (!row || row.status === "cutting") return "skipped";
  const [carrier] = await services.db.select().from(carriers).where(eq(carriers.code, row.carrierCode));
  if (!carrier || carrier.deliveryMode !== "push") return "skipped";
  const delivered = await services.db
    .select({ id: carrierPushAttempts.id })
    .from(carrierPushAttempts)
    .where(and(eq(carrierPushAttempts.batchId, batchId), eq(carrierPushAttempts.outcome, "delivered")))
    .limit(1);
  if (delivered.length > 0) return "skipped";

  const [previous] = await services.db
    .select({ n: sql<number>`count(*)::int` })
    .from(carrierPushAttempts)
    .where(eq(carrierPushAttempts.batchId, batchId));
  const attempt = Number(previous?.n ?? 0) + 1;
  const startedAt = services.now();
  const started = Date.now();
  const record = async (outcome: string, httpStatus: number | null, error: string | null) => {
    await services.db.insert(carrierPushAttempts).values({
      batchId,
      carrierCode: carrier.code,
      attempt,
      startedAt,
      finishedAt: services.now(),
      outcome,
      httpStatus,
      error,
      durationMs: Date.now() - started,
    });
  };

  if (!carrier.pushUrl || !carrier.pushSecretEnc) {
    await record("not_configured", null, carrier.pushUrl ? "no push secret" : "no push URL");
    throw new PushFailedError("not_configured", null);
  }
  const batch = summarise(row);
  const file = batchFile(services, batch, defaultDownloadFormat(batch.fileFormat as FileFormat));
  const timestamp = Math.floor(services.now().getTime() / 1000);
  const secret = services.pii.open(carrier.pushSecretEnc);
  const headers: Record<string, string> = {
    "Content-Type": file.contentType,
    "User-Agent": "kokusai-fuatsukai-carrier-push/1",
    [PUSH_HEADERS.batchId]: batch.id,
    [PUSH_HEADERS.carrier]: batch.carrierCode,
    [PUSH_HEADERS.sequence]: String(batch.sequence),
    [PUSH_HEADERS.sha256]: file.sha256,
    [PUSH_HEADERS.manifest]: Buffer.from(batch.manifest, "utf8").toString("base64"),
    [PUSH_HEADERS.signature]: batch.signature,
    [PUSH_HEADERS.keyId]: batch.keyId,
    [PUSH_HEADERS.hmac]: pushHmacHeader(secret, timestamp, batch.id, file.sha256),
  };
  const timeoutMs = carrierSettings(services.config).pushTimeoutSeconds * 1000;
  let response: Response;
  try {
    const init: RequestInit & { duplex?: "half" } =
      file.bytes <= BUFFER_LIMIT
        ? { method: "POST", headers, body: new Uint8Array(await file.buffer()), signal: AbortSignal.timeout(timeoutMs), redirect: "error" }
        : { method: "POST", headers, body: file.stream(), duplex: "half", signal: AbortSignal.timeout(timeoutMs), redirect: "error" };
    response = await doFetch(carrier.pushUrl, init);
    // Read (and drop) the body so the connection is released; never store what the carrier said.
    await response.arrayBuffer().catch(() => undefined);
  } catch (error) {
    const name = (error as Error).name;
    const outcome = name === "TimeoutError" || name === "AbortError" ? "timeout" : "network_error";
    const code = (error as { cause?: { code?: string } }).cause?.code;
    await record(outcome, null, `${name}${code ? `:${code}` : ""}`);
    services.logger.warn({ batchId, carrier: carrier.code, attempt, outcome }, "carrier push failed");
    throw new PushFailedError(outcome, null);
  }
  if (response.status < 200 || response.status > 299) {
    await record("http_error", response.status, null);
    services.logger.warn({ batchId, carrier: carrier.code, attempt, status: response.status }, "carrier push refused");
    throw new PushFailedError("http_error", response.status);
  }
  await record("delivered", response.status, null);
  await markSent(services, batchId);
  await services.audit.record({
    actor: "system",
    action: "carrier_batch.push",
    subjectType: "carrier_batch",
    subjectId: batchId,
    detail: { carrier: carrier.code, sequence: batch.sequence, attempt, records: batch.recordCount },
  });
  services.logger.info({ batchId, carrier: carrier.code, attempt }, "carrier batch pushed");
  return "delivered";
}
