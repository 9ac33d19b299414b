/**
 * Result files from carriers: parsing (CSV or JSON) and validation against the batch's orders. Pure.
 *
 * A file is accepted or refused whole. Every problem names the line (the CSV line, or the position in
 * the JSON `results` array) and the field, so the carrier can fix the file and send it again. Sending
 * the same results again is harmless: a record whose result is already on file is "unchanged"; a
 * record whose result on file is different is an error (results are final).
 */
import { parseCsv } from "./carrier-files";
import type { OrderAction } from "./carrier-files";

export const RESULTS = ["DONE", "REJECTED", "ACCEPTED"] as const;
export type ResultCode = (typeof RESULTS)[number];

export const REASON_CODES = ["NOT_OUR_SUBSCRIBER", "NAME_MISMATCH", "NUMBER_NOT_IN_SERVICE", "ALREADY_SUSPENDED", "OTHER"] as const;
export type ReasonCode = (typeof REASON_CODES)[number];

export const REASON_LABELS: Readonly<Record<ReasonCode, string>> = {
  NOT_OUR_SUBSCRIBER: "この電話会社の契約ではない",
  NAME_MISMATCH: "契約者名が一致しない",
  NUMBER_NOT_IN_SERVICE: "使われていない番号",
  ALREADY_SUSPENDED: "すでに休止済み",
  OTHER: "その他",
};

export const RESULT_LABELS: Readonly<Record<ResultCode, string>> = {
  DONE: "完了",
  REJECTED: "不可",
  ACCEPTED: "自社の契約（引き受け）",
};

export const RESULT_COLUMNS = ["record_id", "result", "effective_date", "reason_code", "note"] as const;
export const REQUIRED_RESULT_COLUMNS = ["record_id", "result"] as const;
export const MAX_NOTE_LENGTH = 200;
/** A result file may not be larger than this many records (a batch holds at most its max size). */
export const MAX_RESULT_RECORDS = 100_000;

/** One result as read from the file, before validation. `line` is 1-based. */
export type RawResult = {
  line: number;
  recordId: string;
  result: string;
  effectiveDate: string;
  reasonCode: string;
  note: string;
};

export type ResultError = {
  /** CSV: the line in the file (the header is line 1). JSON: the position in `results` (1-based). */
  line: number;
  /** The column or JSON key; "file" for problems with the whole file. */
  field: string;
  code: string;
  message: string;
};

export type ParsedResults = { ok: true; rows: RawResult[] } | { ok: false; errors: ResultError[] };

const fileError = (code: string, message: string, line = 0, field = "file"): ParsedResults => ({
  ok: false,
  errors: [{ line, field, code, message }],
});

export function parseResultsCsv(text: string): ParsedResults {
  const parsed = parseCsv(text);
  if (!parsed.ok) return fileError("csv_syntax", parsed.message, parsed.line);
  const [header, ...rows] = parsed.rows;
  if (!header) return fileError("empty", "ファイルが空です。1行目に見出し（record_id,result,…）を書いてください。", 1);
  const names = header.fields.map((f) => f.trim().toLowerCase());
  const errors: ResultError[] = [];
  names.forEach((name, index) => {
    if (!(RESULT_COLUMNS as readonly string[]).includes(name)) {
      errors.push({ line: header.line, field: name || `column ${index + 1}`, code: "unknown_column", message: `見出し「${name}」は使えません。使える見出しは ${RESULT_COLUMNS.join(", ")} です。` });
    } else if (names.indexOf(name) !== index) {
      errors.push({ line: header.line, field: name, code: "duplicate_column", message: `見出し「${name}」が2回あります。` });
    }
  });
  for (const required of REQUIRED_RESULT_COLUMNS) {
    if (!names.includes(required)) {
      errors.push({ line: header.line, field: required, code: "missing_column", message: `見出し「${required}」がありません。` });
    }
  }
  if (errors.length > 0) return { ok: false, errors };
  if (rows.length > MAX_RESULT_RECORDS) return fileError("too_many_records", `1つのファイルに入れられる結果は ${MAX_RESULT_RECORDS} 件までです。`);
  const at = (row: string[], name: string) => {
    const index = names.indexOf(name);
    return index < 0 ? "" : (row[index] ?? "").trim();
  };
  const out: RawResult[] = [];
  for (const row of rows) {
    if (row.fields.length !== names.length) {
      errors.push({
        line: row.line,
        field: "file",
        code: "column_count",
        message: `項目の数が ${row.fields.length} 個です。見出しと同じ ${names.length} 個にしてください。`,
      });
      continue;
    }
    out.push({
      line: row.line,
      recordId: at(row.fields, "record_id"),
      result: at(row.fields, "result"),
      effectiveDate: at(row.fields, "effective_date"),
      reasonCode: at(row.fields, "reason_code"),
      note: at(row.fields, "note"),
    });
  }
  if (errors.length > 0) return { ok: false, errors };
  if (out.length === 0) return fileError("no_records", "結果が1件もありません。", 2);
  return { ok: true, rows: out };
}

/** JSON: {"results": [{"record_id": "…", "result": "DONE", "effective_date": "2026-11-21"}, …]} */
export function parseResultsJson(text: string): ParsedResults {
  let document: unknown;
  try {
    document = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (error) {
    return fileError("json_syntax", `JSONとして読めません（${(error as Error).message}）。`);
  }
  const results = (document as { results?: unknown } | null)?.results;
  if (!Array.isArray(results)) return fileError("json_shape", "「results」という配列が必要です。", 0, "results");
  if (results.length === 0) return fileError("no_records", "結果が1件もありません。", 0, "results");
  if (results.length > MAX_RESULT_RECORDS) return fileError("too_many_records", `1つのファイルに入れられる結果は ${MAX_RESULT_RECORDS} 件までです。`, 0, "results");
  const errors: ResultError[] = [];
  const out: RawResult[] = [];
  results.forEach((item, index) => {
    const line = index + 1;
    if (item === null || typeof item !== "object" || Array.isArray(item)) {
      errors.push({ line, field: "results", code: "json_shape", message: `results の ${line} 番目がオブジェクトではありません。` });
      return;
    }
    const record = item as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      if (!(RESULT_COLUMNS as readonly string[]).includes(key)) {
        errors.push({ line, field: key, code: "unknown_field", message: `「${key}」は使えません。使える項目は ${RESULT_COLUMNS.join(", ")} です。` });
      }
    }
    const text = (key: string): string => {
      const value = record[key];
      if (value === undefined || value === null) return "";
      if (typeof value !== "string") {
        errors.push({ line, field: key, code: "not_a_string", message: `「${key}」は文字列で書いてください。` });
        return "";
      }
      return value.trim();
    };
    out.push({
      line,
      recordId: text("record_id"),
      result: text("result"),
      effectiveDate: text("effective_date"),
      reasonCode: text("reason_code"),
      note: text("note"),
    });
  });
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, rows: out };
}

/** What validation needs to know about each order of the batch. */
export type OrderForResult = {
  id: string;
  action: OrderAction;
  /** The result on file, if any (results are final). */
  resultCode: ResultCode | null;
  reasonCode: ReasonCode | null;
  effectiveDate: string | null;
};

export type ValidResult = {
  line: number;
  orderId: string;
  result: ResultCode;
  reasonCode: ReasonCode | null;
  effectiveDate: string | null;
  note: string | null;
  /** The same result is already on file: nothing to do. */
  unchanged: boolean;
};

export type ValidationOutcome = { ok: true; results: ValidResult[] } | { ok: false; errors: ResultError[] };

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

export function isCalendarDate(value: string): boolean {
  const match = DATE.exec(value);
  if (!match) return false;
  const [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

/** A date in Japan (YYYY-MM-DD) for an instant. */
export function jstDate(at: Date): string {
  return new Date(at.getTime() + 9 * 3600_000).toISOString().slice(0, 10);
}

function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

export type ValidationContext = {
  orders: ReadonlyMap<string, OrderForResult>;
  /** The day (JST) the batch was cut: an effective date may not be more than a day before it. */
  cutDate: string;
  /** Today (JST): an effective date may not be more than 90 days after it. */
  today: string;
};

/** Which results each action takes. An inquiry is answered ACCEPTED, or REJECTED with NOT_OUR_SUBSCRIBER. */
export function allowedResults(action: OrderAction): readonly ResultCode[] {
  return action === "INQUIRY" ? ["ACCEPTED", "REJECTED"] : ["DONE", "REJECTED"];
}

export function allowedReasons(action: OrderAction): readonly ReasonCode[] {
  return action === "INQUIRY" ? ["NOT_OUR_SUBSCRIBER"] : REASON_CODES;
}

export function validateResults(rows: readonly RawResult[], context: ValidationContext): ValidationOutcome {
  const errors: ResultError[] = [];
  const seen = new Map<string, number>();
  const results: ValidResult[] = [];
  const earliest = addDays(context.cutDate, -1);
  const latest = addDays(context.today, 90);
  for (const row of rows) {
    const problems: ResultError[] = [];
    const problem = (field: string, code: string, message: string) => problems.push({ line: row.line, field, code, message });

    const order = row.recordId ? context.orders.get(row.recordId.toLowerCase()) : undefined;
    if (!row.recordId) problem("record_id", "required", "record_id を書いてください。");
    else if (!order) problem("record_id", "unknown_record", `record_id「${row.recordId}」は、このバッチにありません。`);
    else if (seen.has(order.id)) problem("record_id", "duplicate_record", `record_id「${row.recordId}」は ${seen.get(order.id)} 行目にもあります。1件に1行にしてください。`);

    const result = row.result.toUpperCase();
    const isResult = (RESULTS as readonly string[]).includes(result);
    if (!row.result) problem("result", "required", `result を書いてください（${RESULTS.join(", ")}）。`);
    else if (!isResult) problem("result", "invalid_result", `result「${row.result}」は使えません。${RESULTS.join(", ")} のどれかにしてください。`);
    else if (order && !allowedResults(order.action).includes(result as ResultCode)) {
      problem("result", "result_not_for_action", `${order.action} の結果は ${allowedResults(order.action).join(" か ")} です。`);
    }

    const reason = row.reasonCode.toUpperCase();
    if (isResult && result === "REJECTED") {
      if (!reason) problem("reason_code", "required", `REJECTED には reason_code が必要です（${(order ? allowedReasons(order.action) : REASON_CODES).join(", ")}）。`);
      else if (!(REASON_CODES as readonly string[]).includes(reason)) problem("reason_code", "invalid_reason", `reason_code「${row.reasonCode}」は使えません。${REASON_CODES.join(", ")} のどれかにしてください。`);
      else if (order && !allowedReasons(order.action).includes(reason as ReasonCode)) {
        problem("reason_code", "reason_not_for_action", `${order.action} を断るときの reason_code は ${allowedReasons(order.action).join(", ")} です。`);
      }
    } else if (reason) {
      problem("reason_code", "reason_not_allowed", "reason_code は REJECTED のときだけ書いてください。");
    }

    if (isResult && result === "DONE") {
      if (!row.effectiveDate) problem("effective_date", "required", "DONE には effective_date（YYYY-MM-DD）が必要です。");
      else if (!isCalendarDate(row.effectiveDate)) problem("effective_date", "invalid_date", `effective_date「${row.effectiveDate}」は日付（YYYY-MM-DD）として読めません。`);
      else if (row.effectiveDate < earliest || row.effectiveDate > latest) {
        problem("effective_date", "date_out_of_range", `effective_date は ${earliest} から ${latest} までの日付にしてください。`);
      }
    } else if (row.effectiveDate) {
      problem("effective_date", "date_not_allowed", "effective_date は DONE のときだけ書いてください。");
    }

    if (row.note.length > MAX_NOTE_LENGTH) problem("note", "too_long", `note は ${MAX_NOTE_LENGTH} 文字までにしてください。`);

    if (order) seen.set(order.id, row.line);
    if (problems.length > 0 || !order) {
      errors.push(...problems);
      continue;
    }
    const valid: ValidResult = {
      line: row.line,
      orderId: order.id,
      result: result as ResultCode,
      reasonCode: result === "REJECTED" ? (reason as ReasonCode) : null,
      effectiveDate: result === "DONE" ? row.effectiveDate : null,
      note: row.note || null,
      unchanged: false,
    };
    if (order.resultCode !== null) {
      const same = order.resultCode === valid.result && order.reasonCode === valid.reasonCode && (order.effectiveDate ?? null) === valid.effectiveDate;
      if (!same) {
        errors.push({
          line: row.line,
          field: "result",
          code: "result_conflict",
          message: `この記録にはすでに別の結果（${order.resultCode}${order.reasonCode ? ` ${order.reasonCode}` : ""}${order.effectiveDate ? ` ${order.effectiveDate}` : ""}）が登録されています。結果は変更できません。センターにご連絡ください。`,
        });
        continue;
      }
      valid.unchanged = true;
    }
    results.push(valid);
  }
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, results };
}
