/**
 * The reference carrier client: what a carrier's system does with the centre, as working code.
 *
 *  - pull: list ready batches, download each, check the SHA-256 and the Ed25519 signature of the
 *    manifest against the public key the carrier holds, check the sequence follows the last one and
 *    the manifest chains to it, acknowledge, answer every record from a rules file, upload the results;
 *  - push: an HTTP handler that checks the HMAC, the hash and the signature of a pushed batch.
 *
 * Used by the tests, and by `npm run carrier -- <carrier-code>` (app/lib/carriers/cli.ts). Only
 * node:crypto and fetch; nothing here touches the centre's database.
 */
import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { checkContinuity, parseManifest, type ContinuityCheck, type Manifest } from "../../domain/carrier-batch";
import { CSV_COLUMNS, decodeText, parseCsv, type CsvEncoding, type OrderAction } from "../../domain/carrier-files";
import { jstDate, REASON_CODES, RESULTS, type ReasonCode, type ResultCode } from "../../domain/carrier-results";
import { publicKeyFrom, verifySignature } from "../carrier-signing.server";

export type ReceivedRecord = {
  record_id: string;
  seq: number;
  action: OrderAction;
  scope: "outgoing" | "incoming";
  phone_number: string;
  subscriber_kana: string;
  subscriber_name: string;
  prefecture: number | null;
  request_ref: string;
  requested_at: string;
  /** The name and kana were heard or read by machine, not typed: advisory (ADR 015). */
  name_unverified: boolean;
};

export type Answer = { result: ResultCode; reason_code?: ReasonCode; note?: string };

export type Rule = {
  /** Match on any of these (all given must match). */
  action?: OrderAction;
  scope?: "outgoing" | "incoming";
  phone_number?: string;
  phone_prefix?: string;
  answer: Answer;
};

export type Rules = {
  /** What to answer when no rule matches; per action. */
  defaults?: Partial<Record<OrderAction, Answer>>;
  rules?: Rule[];
  /** "today" (JST, default), "+N" days from today, or a date YYYY-MM-DD. */
  effective_date?: string;
};

export const DEFAULT_RULES: Rules = {
  defaults: {
    SUSPEND: { result: "DONE" },
    RESUME: { result: "DONE" },
    INQUIRY: { result: "REJECTED", reason_code: "NOT_OUR_SUBSCRIBER" },
  },
  rules: [],
  effective_date: "today",
};

export function parseRules(text: string): Rules {
  const rules = JSON.parse(text) as Rules;
  const check = (answer: Answer, where: string) => {
    if (!(RESULTS as readonly string[]).includes(answer.result)) throw new Error(`${where}: result must be one of ${RESULTS.join(", ")}`);
    if (answer.reason_code && !(REASON_CODES as readonly string[]).includes(answer.reason_code)) throw new Error(`${where}: unknown reason_code ${answer.reason_code}`);
  };
  for (const [action, answer] of Object.entries(rules.defaults ?? {})) check(answer, `defaults.${action}`);
  (rules.rules ?? []).forEach((rule, i) => check(rule.answer, `rules[${i}]`));
  return rules;
}

function effectiveDate(rules: Rules, now: Date): string {
  const spec = rules.effective_date ?? "today";
  const today = jstDate(now);
  if (spec === "today") return today;
  const offset = spec.match(/^\+(\d+)$/);
  if (offset) return jstDate(new Date(now.getTime() + Number(offset[1]) * 86_400_000));
  return spec;
}

export type ResultRow = { record_id: string; result: ResultCode; effective_date?: string; reason_code?: ReasonCode; note?: string };

/** The answer for one record: the first matching rule, else the default for its action. */
export function decide(record: ReceivedRecord, rules: Rules, now: Date): ResultRow {
  const rule = (rules.rules ?? []).find(
    (r) =>
      (r.action === undefined || r.action === record.action) &&
      (r.scope === undefined || r.scope === record.scope) &&
      (r.phone_number === undefined || r.phone_number === record.phone_number) &&
      (r.phone_prefix === undefined || record.phone_number.startsWith(r.phone_prefix)),
  );
  const answer = rule?.answer ?? rules.defaults?.[record.action] ?? DEFAULT_RULES.defaults![record.action]!;
  return {
    record_id: record.record_id,
    result: answer.result,
    ...(answer.result === "DONE" ? { effective_date: effectiveDate(rules, now) } : {}),
    ...(answer.result === "REJECTED" ? { reason_code: answer.reason_code ?? "OTHER" } : {}),
    ...(answer.note ? { note: answer.note } : {}),
  };
}

export function resultsToCsv(rows: readonly ResultRow[]): string {
  const field = (v: string) => (/[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  return ["record_id,result,effective_date,reason_code,note", ...rows.map((r) => [r.record_id, r.result, r.effective_date ?? "", r.reason_code ?? "", r.note ?? ""].map(field).join(","))].join("\r\n") + "\r\n";
}

/** Reads a batch file (CSV in its encoding, or JSON) into records. Throws on anything malformed. */
export function parseBatchFile(bytes: Uint8Array, format: "csv" | "json", encoding: CsvEncoding): ReceivedRecord[] {
  if (format === "json") {
    const doc = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes)) as { records: ReceivedRecord[]; record_count: number };
    if (!Array.isArray(doc.records) || doc.records.length !== doc.record_count) throw new Error("JSON batch: record_count does not match");
    return doc.records;
  }
  const text = decodeText(bytes, encoding);
  if (text === null) throw new Error(`CSV batch is not valid ${encoding}`);
  const parsed = parseCsv(text);
  if (!parsed.ok) throw new Error(`CSV batch, line ${parsed.line}: ${parsed.message}`);
  const [header, ...rows] = parsed.rows;
  if (header?.fields.join(",") !== CSV_COLUMNS.join(",")) throw new Error("CSV batch: unexpected header");
  return rows.map((row) => {
    const get = (name: (typeof CSV_COLUMNS)[number]) => row.fields[CSV_COLUMNS.indexOf(name)] ?? "";
    return {
      record_id: get("record_id"),
      seq: Number(get("seq")),
      action: get("action") as OrderAction,
      scope: get("scope") as "outgoing" | "incoming",
      phone_number: get("phone_number"),
      subscriber_kana: get("subscriber_kana"),
      subscriber_name: get("subscriber_name"),
      prefecture: get("prefecture") === "" ? null : Number(get("prefecture")),
      request_ref: get("request_ref"),
      requested_at: get("requested_at"),
      name_unverified: get("name_unverified") === "1",
    };
  });
}

export type VerifiedBatch = { manifest: Manifest; records: ReceivedRecord[]; bytes: Uint8Array; sha256: string };

export class BatchVerificationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "BatchVerificationError";
  }
}

/** Checks a downloaded or pushed file: the signature over the manifest, then the file's hash and size against it. */
export function verifyBatch(input: {
  publicKey: string;
  manifestText: string;
  signature: string;
  bytes: Uint8Array;
  format: "csv" | "json";
  carrier?: string;
}): VerifiedBatch {
  if (!verifySignature(publicKeyFrom(input.publicKey), input.manifestText, input.signature)) {
    throw new BatchVerificationError("the manifest signature does not verify with the centre's public key");
  }
  const manifest = parseManifest(input.manifestText);
  if (!manifest) throw new BatchVerificationError("the manifest is malformed");
  if (input.carrier && manifest.carrier !== input.carrier) throw new BatchVerificationError(`the batch is for ${manifest.carrier}, not ${input.carrier}`);
  const sha256 = createHash("sha256").update(input.bytes).digest("hex");
  const expected = input.format === "json" ? manifest.jsonSha256 : manifest.csvSha256;
  const size = input.format === "json" ? manifest.jsonBytes : manifest.csvBytes;
  if (sha256 !== expected || input.bytes.byteLength !== size) throw new BatchVerificationError("the file does not match the signed manifest (hash or size)");
  const records = parseBatchFile(input.bytes, input.format, manifest.csvEncoding);
  if (records.length !== manifest.records) throw new BatchVerificationError("the number of records does not match the manifest");
  return { manifest, records, bytes: input.bytes, sha256 };
}

export type ContinuityState = { sequence: number; manifestSha256: string } | null;

export type BatchInfo = {
  id: string;
  carrier: string;
  sequence: number;
  status: string;
  record_count: number;
  file_format: string;
  csv_encoding: CsvEncoding;
  manifest: string;
  signature: string;
  key_id: string;
};

export type ProcessedBatch = {
  batchId: string;
  sequence: number;
  records: number;
  continuity: ContinuityCheck;
  upload: { records: number; applied: number; unchanged: number };
};

export type ClientOptions = {
  baseUrl: string;
  apiKey: string;
  /** The centre's public key as the carrier holds it: PEM, or the 32 raw bytes in base64. */
  publicKey: string;
  carrier?: string;
  format?: "csv" | "json";
  fetch?: typeof fetch;
  now?: () => Date;
};

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {
    super(`carrier API answered ${status}: ${JSON.stringify(body)}`);
    this.name = "ApiError";
  }
}

export class ReferenceCarrierClient {
  private readonly doFetch: typeof fetch;
  private readonly now: () => Date;
  constructor(private readonly options: ClientOptions) {
    this.doFetch = options.fetch ?? fetch;
    this.now = options.now ?? (() => new Date());
  }

  private url(path: string): string {
    return new URL(`/api/carrier/v1${path}`, this.options.baseUrl).toString();
  }

  private async call(path: string, init: RequestInit = {}): Promise<Response> {
    const response = await this.doFetch(this.url(path), {
      ...init,
      headers: { Authorization: `Bearer ${this.options.apiKey}`, Accept: "application/json", ...(init.headers as Record<string, string>) },
    });
    if (!response.ok) {
      const text = await response.text();
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        // not JSON
      }
      throw new ApiError(response.status, body);
    }
    return response;
  }

  async listReady(): Promise<BatchInfo[]> {
    const body = (await (await this.call("/batches?status=ready")).json()) as { carrier: string; batches: BatchInfo[] };
    if (this.options.carrier && body.carrier !== this.options.carrier) throw new Error(`this API key belongs to ${body.carrier}, not ${this.options.carrier}`);
    return body.batches.sort((a, b) => a.sequence - b.sequence);
  }

  async download(batch: BatchInfo, format: "csv" | "json" = this.options.format ?? (batch.file_format === "json" ? "json" : "csv")): Promise<VerifiedBatch> {
    const response = await this.call(`/batches/${batch.id}/file?format=${format}`);
    const bytes = new Uint8Array(await response.arrayBuffer());
    const manifestHeader = response.headers.get("X-Kokusai-Manifest");
    const manifestText = manifestHeader ? Buffer.from(manifestHeader, "base64").toString("utf8") : batch.manifest;
    if (manifestText !== batch.manifest) throw new BatchVerificationError("the manifest in the download differs from the listed one");
    return verifyBatch({ publicKey: this.options.publicKey, manifestText, signature: response.headers.get("X-Kokusai-Signature") ?? batch.signature, bytes, format, carrier: this.options.carrier });
  }

  async acknowledge(batchId: string): Promise<{ status: string; already_acknowledged: boolean }> {
    return (await (await this.call(`/batches/${batchId}/ack`, { method: "POST" })).json()) as { status: string; already_acknowledged: boolean };
  }

  async uploadResults(batchId: string, rows: readonly ResultRow[], format: "csv" | "json" = "csv"): Promise<{ records: number; applied: number; unchanged: number }> {
    const body = format === "json" ? JSON.stringify({ results: rows }) : resultsToCsv(rows);
    const response = await this.call(`/batches/${batchId}/results`, {
      method: "POST",
      body,
      headers: { "Content-Type": format === "json" ? "application/json" : "text/csv; charset=utf-8" },
    });
    return (await response.json()) as { records: number; applied: number; unchanged: number };
  }

  /**
   * Every ready batch, oldest first: download, verify, check continuity, acknowledge, answer, upload.
   * A batch that fails verification is neither acknowledged nor answered (the error is thrown).
   * `state` is the last batch accepted; the returned state is the new one.
   */
  async processReady(rules: Rules, state: ContinuityState = null, options: { resultFormat?: "csv" | "json" } = {}): Promise<{ processed: ProcessedBatch[]; state: ContinuityState }> {
    const processed: ProcessedBatch[] = [];
    let current = state;
    for (const batch of await this.listReady()) {
      const verified = await this.download(batch);
      const continuity = checkContinuity(current, verified.manifest);
      await this.acknowledge(batch.id);
      const rows = verified.records.map((record) => decide(record, rules, this.now()));
      const upload = await this.uploadResults(batch.id, rows, options.resultFormat ?? "csv");
      processed.push({ batchId: batch.id, sequence: verified.manifest.sequence, records: verified.records.length, continuity, upload });
      if (!current || verified.manifest.sequence > current.sequence) {
        current = { sequence: verified.manifest.sequence, manifestSha256: createHash("sha256").update(batch.manifest).digest("hex") };
      }
    }
    return { processed, state: current };
  }
}

// ---------------------------------------------------------------------------------------------
// Push receiver
// ---------------------------------------------------------------------------------------------

export type PushedBatch = VerifiedBatch & { batchId: string; format: "csv" | "json"; attempt: number };

export type PushReceiverOptions = {
  /** The push secret the centre's admin gave the carrier. */
  secret: string;
  publicKey: string;
  carrier?: string;
  /** Seconds the HMAC timestamp may differ from `now` (default 300); null to skip the check. */
  maxSkewSeconds?: number | null;
  now?: () => Date;
  /** Decides the HTTP status for an attempt that verified (tests answer 500 to force retries). */
  respond?: (attempt: number) => number;
  onBatch?: (batch: PushedBatch) => void;
  onRejected?: (reason: string) => void;
};

function headerOf(request: IncomingMessage, name: string): string | null {
  const value = request.headers[name.toLowerCase()];
  return Array.isArray(value) ? (value[0] ?? null) : (value ?? null);
}

/** A node:http handler for pushed batches. Answers 401 for a bad HMAC, 422 for a bad file, else respond(attempt) or 200. */
export function createPushReceiver(options: PushReceiverOptions) {
  let attempts = 0;
  return async (request: IncomingMessage, response: ServerResponse) => {
    attempts++;
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const refuse = (status: number, reason: string) => {
      options.onRejected?.(reason);
      response.writeHead(status, { "Content-Type": "application/json" }).end(JSON.stringify({ error: reason }));
    };
    const hmac = headerOf(request, "X-Kokusai-HMAC")?.match(/^t=(\d+),v1=([0-9a-f]{64})$/);
    const batchId = headerOf(request, "X-Kokusai-Batch-Id") ?? "";
    const sha256 = createHash("sha256").update(body).digest("hex");
    if (!hmac) return refuse(401, "missing HMAC");
    const expected = createHmac("sha256", options.secret).update(`${hmac[1]}.${batchId}.${sha256}`).digest();
    if (!timingSafeEqual(expected, Buffer.from(hmac[2]!, "hex"))) return refuse(401, "bad HMAC");
    const skew = options.maxSkewSeconds === undefined ? 300 : options.maxSkewSeconds;
    if (skew !== null && Math.abs((options.now ?? (() => new Date()))().getTime() / 1000 - Number(hmac[1])) > skew) return refuse(401, "stale timestamp");
    if (headerOf(request, "X-Kokusai-Content-SHA256") !== sha256) return refuse(422, "body hash differs from the header");
    const format = (headerOf(request, "Content-Type") ?? "").includes("json") ? "json" : "csv";
    try {
      const verified = verifyBatch({
        publicKey: options.publicKey,
        manifestText: Buffer.from(headerOf(request, "X-Kokusai-Manifest") ?? "", "base64").toString("utf8"),
        signature: headerOf(request, "X-Kokusai-Signature") ?? "",
        bytes: body,
        format,
        carrier: options.carrier,
      });
      const status = options.respond?.(attempts) ?? 200;
      if (status >= 200 && status < 300) options.onBatch?.({ ...verified, batchId, format, attempt: attempts });
      response.writeHead(status, { "Content-Type": "application/json" }).end(JSON.stringify({ received: status < 300 }));
    } catch (error) {
      refuse(422, (error as Error).message);
    }
  };
}
