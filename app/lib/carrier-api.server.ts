/** Shared pieces of the carrier API routes (/api/carrier/v1): auth, JSON shapes, errors, file responses. */
import type { AppLoadContext } from "@remix-run/node";
import type { BatchFile, BatchSummary } from "./carrier-batches.server";
import { authenticateApiKey, type ApiCaller } from "./carrier-auth.server";
import { PUSH_HEADERS } from "./carrier-push.server";
import { CARRIER_API_KEY_LIMIT, checkLimit, recordHit } from "./rate-limit.server";

export const API_BASE = "/api/carrier/v1";

export function apiJson(data: unknown, init: { status?: number; headers?: Record<string, string> } = {}): Response {
  return new Response(JSON.stringify(data), {
    status: init.status ?? 200,
    headers: { "Content-Type": "application/json; charset=utf-8", "Cache-Control": "no-store", ...init.headers },
  });
}

export function apiError(status: number, error: string, message: string, extra: Record<string, unknown> = {}): Response {
  return apiJson({ error, message, ...extra }, { status, headers: status === 401 ? { "WWW-Authenticate": 'Bearer realm="carrier-api"' } : {} });
}

export const notFound = () => apiError(404, "not_found", "バッチが見つかりません。");
export const methodNotAllowed = (allow: string) =>
  new Response(JSON.stringify({ error: "method_not_allowed", message: `${allow} を使ってください。` }), {
    status: 405,
    headers: { "Content-Type": "application/json; charset=utf-8", Allow: allow },
  });

/**
 * The calling carrier, or throws a 401 JSON response. Wrong (or missing) keys are counted per client
 * address in the rate-limit table (issue 12): after CARRIER_API_KEY_LIMIT.max of them in its window,
 * every request from that address gets 429 with Retry-After until the window frees up — a correct key
 * too, so trying keys gains nothing.
 */
export async function requireApiCaller(request: Request, context: AppLoadContext): Promise<ApiCaller> {
  const { services } = context;
  const limit = await checkLimit(services, CARRIER_API_KEY_LIMIT, context.clientIp);
  if (limit.limited) {
    throw apiJson(
      { error: "too_many_failures", message: `無効な API キーが続いたため、しばらく受け付けません。${limit.retryAfterSeconds}秒後に、正しいキーでお試しください。`, retry_after: limit.retryAfterSeconds },
      { status: 429, headers: { "Retry-After": String(limit.retryAfterSeconds) } },
    );
  }
  const caller = await authenticateApiKey(services, request);
  if (!caller) {
    await services.db.transaction(async (tx) => {
      await recordHit(services, CARRIER_API_KEY_LIMIT, context.clientIp, tx);
      await services.audit.record({ actor: "anonymous", action: "carrier_api.unauthorized", subjectType: "carrier_api_key", ip: context.clientIp }, tx);
    });
    throw apiError(401, "unauthorized", "API キーがないか、無効です。Authorization: Bearer <API キー> を付けてください。");
  }
  return caller;
}

export function batchJson(batch: BatchSummary) {
  const self = `${API_BASE}/batches/${batch.id}`;
  return {
    id: batch.id,
    carrier: batch.carrierCode,
    sequence: batch.sequence,
    status: batch.status,
    record_count: batch.recordCount,
    file_format: batch.fileFormat,
    csv_encoding: batch.csvEncoding,
    cut_at: batch.cutAt,
    sent_at: batch.sentAt,
    acknowledged_at: batch.ackedAt,
    results_at: batch.resultsAt,
    answered_at: batch.answeredAt,
    files: {
      csv: { sha256: batch.csvSha256, bytes: batch.csvBytes, href: `${self}/file?format=csv` },
      json: { sha256: batch.jsonSha256, bytes: batch.jsonBytes, href: `${self}/file?format=json` },
    },
    manifest: batch.manifest,
    signature: batch.signature,
    key_id: batch.keyId,
    previous_manifest_sha256: batch.previousManifestSha256,
    links: { self, acknowledge: `${self}/ack`, results: `${self}/results` },
  };
}

/** The stored bytes, streamed, with the hash, manifest and signature in headers. Never cached. */
export function fileResponse(batch: BatchSummary, file: BatchFile, extraHeaders: Record<string, string> = {}): Response {
  return new Response(file.stream(), {
    status: 200,
    headers: {
      "Content-Type": file.contentType,
      "Content-Length": String(file.bytes),
      "Content-Disposition": `attachment; filename="${file.fileName}"`,
      "Cache-Control": "no-store",
      ETag: `"${file.sha256}"`,
      [PUSH_HEADERS.batchId]: batch.id,
      [PUSH_HEADERS.carrier]: batch.carrierCode,
      [PUSH_HEADERS.sequence]: String(batch.sequence),
      [PUSH_HEADERS.sha256]: file.sha256,
      [PUSH_HEADERS.manifest]: Buffer.from(batch.manifest, "utf8").toString("base64"),
      [PUSH_HEADERS.signature]: batch.signature,
      [PUSH_HEADERS.keyId]: batch.keyId,
      ...extraHeaders,
    },
  });
}
