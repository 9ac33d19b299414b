import { parseResultsCsv, parseResultsJson, validateResults, type OrderForResult } from "../../app/domain/carrier-results";

const SUSPEND = "11111111-1111-4111-8111-111111111111";
const INQUIRY = "22222222-2222-4222-8222-222222222222";
const ANSWERED = "33333333-3333-4333-8333-333333333333";

const orders = new Map<string, OrderForResult>([
  [SUSPEND, { id: SUSPEND, action: "SUSPEND", resultCode: null, reasonCode: null, effectiveDate: null }],
  [INQUIRY, { id: INQUIRY, action: "INQUIRY", resultCode: null, reasonCode: null, effectiveDate: null }],
  [ANSWERED, { id: ANSWERED, action: "SUSPEND", resultCode: "DONE", reasonCode: null, effectiveDate: "2026-11-21" }],
]);
const context = { orders, cutDate: "2026-11-20", today: "2026-11-20" };

function validate(csv: string) {
  const parsed = parseResultsCsv(csv);
  if (!parsed.ok) return parsed;
  return validateResults(parsed.rows, context);
}

describe("result files", () => {
  it("accepts DONE with a date, REJECTED with a reason, ACCEPTED for an inquiry; a repeat is unchanged", () => {
    const outcome = validate(
      ["record_id,result,effective_date,reason_code,note", `${SUSPEND},DONE,2026-11-21,,`, `${INQUIRY},ACCEPTED,,,自社`, `${ANSWERED},DONE,2026-11-21,,`].join("\n"),
    );
    expect(outcome).toEqual({
      ok: true,
      results: [
        { line: 2, orderId: SUSPEND, result: "DONE", reasonCode: null, effectiveDate: "2026-11-21", note: null, unchanged: false },
        { line: 3, orderId: INQUIRY, result: "ACCEPTED", reasonCode: null, effectiveDate: null, note: "自社", unchanged: false },
        { line: 4, orderId: ANSWERED, result: "DONE", reasonCode: null, effectiveDate: "2026-11-21", note: null, unchanged: true },
      ],
    });
  });

  it("columns may come in any order and case; only record_id and result are required", () => {
    expect(validate(`RESULT,Record_ID,reason_code\nrejected,${SUSPEND},name_mismatch\n`)).toMatchObject({ ok: true, results: [{ result: "REJECTED", reasonCode: "NAME_MISMATCH" }] });
  });

  it.each([
    [`${SUSPEND},DONE,,,`, "effective_date", "required"],
    [`${SUSPEND},DONE,2026-02-30,,`, "effective_date", "invalid_date"],
    [`${SUSPEND},DONE,2025-01-01,,`, "effective_date", "date_out_of_range"],
    [`${SUSPEND},REJECTED,,,`, "reason_code", "required"],
    [`${SUSPEND},REJECTED,,MAYBE,`, "reason_code", "invalid_reason"],
    [`${SUSPEND},DONE,2026-11-21,OTHER,`, "reason_code", "reason_not_allowed"],
    [`${SUSPEND},REJECTED,2026-11-21,OTHER,`, "effective_date", "date_not_allowed"],
    [`${SUSPEND},ACCEPTED,,,`, "result", "result_not_for_action"],
    [`${INQUIRY},DONE,2026-11-21,,`, "result", "result_not_for_action"],
    [`${INQUIRY},REJECTED,,NAME_MISMATCH,`, "reason_code", "reason_not_for_action"],
    [`${SUSPEND},FINISHED,,,`, "result", "invalid_result"],
    [`,DONE,2026-11-21,,`, "record_id", "required"],
    [`not-a-uuid,DONE,2026-11-21,,`, "record_id", "unknown_record"],
    [`${ANSWERED},REJECTED,,OTHER,`, "result", "result_conflict"],
    [`${SUSPEND},DONE,2026-11-21,,${"x".repeat(201)}`, "note", "too_long"],
  ])("refuses %s (%s: %s)", (row, field, code) => {
    const outcome = validate(`record_id,result,effective_date,reason_code,note\n${row}\n`);
    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    expect(outcome.errors).toContainEqual(expect.objectContaining({ line: 2, field, code }));
  });

  it("reports every bad line, and duplicates", () => {
    const outcome = validate(`record_id,result,effective_date\n${SUSPEND},DONE,2026-11-21\n${SUSPEND},DONE,2026-11-21\n${INQUIRY},DONE,x\n`);
    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    expect(outcome.errors.map((e) => [e.line, e.field, e.code])).toEqual([
      [3, "record_id", "duplicate_record"],
      [4, "result", "result_not_for_action"],
      [4, "effective_date", "invalid_date"],
    ]);
  });

  it("refuses bad headers and short rows, naming them", () => {
    expect(parseResultsCsv("record_id,outcome\n")).toMatchObject({ ok: false, errors: expect.arrayContaining([expect.objectContaining({ line: 1, field: "outcome", code: "unknown_column" }), expect.objectContaining({ field: "result", code: "missing_column" })]) });
    expect(parseResultsCsv(`record_id,result\n${SUSPEND}\n`)).toMatchObject({ ok: false, errors: [expect.objectContaining({ line: 2, code: "column_count" })] });
    expect(parseResultsCsv("")).toMatchObject({ ok: false, errors: [expect.objectContaining({ code: "empty" })] });
    expect(parseResultsCsv("record_id,result\n")).toMatchObject({ ok: false, errors: [expect.objectContaining({ code: "no_records" })] });
  });

  it("reads JSON, naming the position and key of each problem", () => {
    expect(parseResultsJson("{")).toMatchObject({ ok: false, errors: [expect.objectContaining({ code: "json_syntax" })] });
    expect(parseResultsJson('{"rows":[]}')).toMatchObject({ ok: false, errors: [expect.objectContaining({ field: "results", code: "json_shape" })] });
    expect(parseResultsJson(`{"results":[{"record_id":"${SUSPEND}","result":"DONE","effective_date":20261121,"extra":1}]}`)).toMatchObject({
      ok: false,
      errors: [expect.objectContaining({ line: 1, field: "extra", code: "unknown_field" }), expect.objectContaining({ line: 1, field: "effective_date", code: "not_a_string" })],
    });
    const parsed = parseResultsJson(`{"results":[{"record_id":"${SUSPEND}","result":"DONE","effective_date":"2026-11-21"}]}`);
    expect(parsed.ok && validateResults(parsed.rows, context)).toMatchObject({ ok: true });
  });
});
