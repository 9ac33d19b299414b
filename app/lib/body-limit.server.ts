/**
 * Request bodies are capped while they are read, per route (issue 12): a form is a few KB, uploads
 * and the carrier results API have their own limits. One table says how much each path may send; the
 * server (server.ts) refuses a larger declared Content-Length before reading anything and cuts a body
 * without one as it streams; `readLimitedBody` / `readLimitedForm` (used by readForm and the carrier
 * API) stop reading at the limit and answer 413. Nothing beyond the limit is ever held in memory.
 */
import { MAX_UPLOAD_BYTES as CARRIER_RESULTS_MAX_BYTES } from "./carrier-results.server";

const KB = 1024;
const MB = 1024 * 1024;

/** Forms of the portal (and anything not listed below): a few KB is plenty for any of them. */
export const FORM_LIMIT_BYTES = 16 * KB;
/** Multipart overhead around an uploaded file (boundaries, part headers, the other fields). */
const MULTIPART_SLACK = 64 * KB;

/** First match wins; paths are normalised (server.ts) before this is consulted. */
export const BODY_LIMITS: { pattern: RegExp; bytes: number; why: string }[] = [
  { pattern: /^\/ops\/paper\/?$/, bytes: 60 * MB + MULTIPART_SLACK, why: "paper/FAX scans: a few files of up to 20 MB each" },
  { pattern: /^\/api\/carrier\/v1\/batches\/[^/]+\/results\/?$/, bytes: CARRIER_RESULTS_MAX_BYTES, why: "carrier results file" },
  { pattern: /^\/carrier\/batches\/[^/]+\/?$/, bytes: CARRIER_RESULTS_MAX_BYTES + MULTIPART_SLACK, why: "carrier results file, uploaded from the page" },
  { pattern: /^\/api\//, bytes: 64 * KB, why: "other carrier API calls (JSON)" },
  { pattern: /^\/ops\/paper\/[^/]+\/?$/, bytes: 64 * KB, why: "review of a paper form: every field of the form, in percent-encoded Japanese" },
  { pattern: /^\/ops\//, bytes: 32 * KB, why: "back-office forms (notes and free text in percent-encoded Japanese)" },
  { pattern: /^\/ivr\//, bytes: 16 * KB, why: "Twilio webhook forms" },
];

export function bodyLimitFor(pathname: string): number {
  return BODY_LIMITS.find((limit) => limit.pattern.test(pathname))?.bytes ?? FORM_LIMIT_BYTES;
}

const isApi = (pathname: string) => pathname.startsWith("/api/");

function describe(bytes: number): string {
  return bytes >= MB ? `${Math.floor(bytes / MB)}MB` : `${Math.floor(bytes / KB)}KB`;
}

/** The 413 answer: plain Japanese for pages, JSON for the carrier API. */
export function tooLargeBody(pathname: string, limit = bodyLimitFor(pathname)): { status: 413; contentType: string; body: string } {
  if (isApi(pathname)) {
    return {
      status: 413,
      contentType: "application/json; charset=utf-8",
      body: JSON.stringify({ error: "too_large", message: `送信されたデータが大きすぎます（${describe(limit)}まで）。` }),
    };
  }
  return {
    status: 413,
    contentType: "text/plain; charset=utf-8",
    body: `送信された内容が大きすぎるため、受け付けられませんでした（${describe(limit)}まで）。前の画面に戻って、もう一度お試しください。`,
  };
}

export function tooLargeResponse(pathname: string, limit?: number): Response {
  const answer = tooLargeBody(pathname, limit);
  // no-store like every other answer of the carrier API (docs/openapi.yaml): an error is never cached.
  return new Response(answer.body, { status: 413, headers: { "Content-Type": answer.contentType, "Cache-Control": "no-store", Connection: "close" } });
}

/** Raised by the server's stream limiter; carried as the cause of the body stream's error. */
export class BodyTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`request body larger than ${limit} bytes`);
    this.name = "BodyTooLargeError";
  }
}

export function isBodyTooLarge(error: unknown): boolean {
  for (let e = error, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof BodyTooLargeError || (e as Error).name === "BodyTooLargeError") return true;
  }
  return false;
}

/**
 * Reads the request body, at most `limit` bytes (by default this path's limit). A larger declared
 * Content-Length is refused without reading; a body that grows past the limit is cut where it crosses
 * it. Throws the 413 Response.
 */
export async function readLimitedBody(request: Request, limit?: number): Promise<Uint8Array<ArrayBuffer>> {
  const pathname = new URL(request.url).pathname;
  const max = limit ?? bodyLimitFor(pathname);
  const declared = request.headers.get("Content-Length");
  if (declared !== null && Number(declared) > max) throw tooLargeResponse(pathname, max);
  if (!request.body) return new Uint8Array(new ArrayBuffer(0));
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > max) {
        await reader.cancel().catch(() => {});
        throw tooLargeResponse(pathname, max);
      }
      chunks.push(value);
    }
  } catch (error) {
    if (error instanceof Response) throw error;
    if (isBodyTooLarge(error)) throw tooLargeResponse(pathname, max);
    throw error;
  }
  const bytes = new Uint8Array(new ArrayBuffer(total));
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

/** Reads a urlencoded or multipart form, at most this path's limit (see readLimitedBody). */
export async function readLimitedForm(request: Request, limit?: number): Promise<FormData> {
  const bytes = await readLimitedBody(request, limit);
  const contentType = request.headers.get("Content-Type") ?? "application/x-www-form-urlencoded";
  return new Response(bytes, { headers: { "Content-Type": contentType } }).formData();
}
