import { classifyQuery, searchLines } from "../../app/lib/search.server";
import { createTestServices, type TestServices } from "../support/services";
import { apply } from "../support/ops-scenario";

let services: TestServices;
let reference: string;

beforeAll(async () => {
  services = await createTestServices();
  reference = (await apply(services, { lineE164: "+81312345678", subscriberKana: "ヤマダ ハナコ", contactPhone: "09011112222", relation: "family", relationDetail: "長男", applicantName: "山田 一郎", verification: { method: "callback", verifiedAt: services.now(), consentAt: services.now() } })).reference;
  await apply(services, { lineE164: "+81662223333", subscriberKana: "スズキ ジロウ", carrierChoice: "ntt-west", prefecture: 27 });
});
afterAll(async () => {
  await services.close();
});

describe("back-office search", () => {
  it("classifies phone numbers, reference numbers and kana", () => {
    expect(classifyQuery("03-1234-5678")).toEqual({ kind: "phone", value: "+81312345678" });
    expect(classifyQuery("０３（１２３４）５６７８")).toEqual({ kind: "phone", value: "+81312345678" });
    expect(classifyQuery("+81 3 1234 5678")).toEqual({ kind: "phone", value: "+81312345678" });
    expect(classifyQuery("やまだ　はなこ")).toEqual({ kind: "kana", value: "ヤマダ ハナコ" });
    expect(classifyQuery("ﾔﾏﾀﾞ ﾊﾅｺ")).toEqual({ kind: "kana", value: "ヤマダ ハナコ" });
    expect(classifyQuery("")).toBeNull();
    expect(classifyQuery("hello")).toBeNull();
  });

  it.each(["03-1234-5678", "0312345678", "+81-3-1234-5678", "０３－１２３４－５６７８"])("finds the line by its number written as %s", async (q) => {
    const outcome = await searchLines(services, q);
    expect(outcome).toMatchObject({ ok: true, kind: "phone" });
    if (!outcome.ok) return;
    expect(outcome.results).toHaveLength(1);
    expect(outcome.results[0]).toMatchObject({ number: "03-1234-5678", matchedBy: ["電話番号"] });
    expect(outcome.results[0]!.applications[0]).toMatchObject({ reference, status: "verified" });
  });

  it("finds a line by the contact number a family member gave", async () => {
    const outcome = await searchLines(services, "090-1111-2222");
    expect(outcome.ok && outcome.results.map((r) => [r.number, r.matchedBy])).toEqual([["03-1234-5678", ["連絡先の電話番号"]]]);
  });

  it("finds a line by its reference number, grouped or not", async () => {
    for (const q of [reference, `${reference.slice(0, 4)}-${reference.slice(4, 8)}-${reference.slice(8)}`]) {
      const outcome = await searchLines(services, q);
      expect(outcome.ok && outcome.results.map((r) => r.number)).toContain("03-1234-5678");
    }
  });

  it("finds a kana name only by an exact match after normalisation", async () => {
    for (const q of ["ヤマダ ハナコ", "やまだはなこ", "ﾔﾏﾀﾞ ﾊﾅｺ", "ヤマダ　ハナコ"]) {
      const outcome = await searchLines(services, q);
      expect(outcome).toMatchObject({ ok: true, kind: "kana" });
      expect(outcome.ok && outcome.results.map((r) => r.number)).toEqual(["03-1234-5678"]);
    }
    const partial = await searchLines(services, "ヤマダ");
    expect(partial.ok && partial.results).toEqual([]);
  });

  it("explains what to type when the query is none of these", async () => {
    const outcome = await searchLines(services, "hello");
    expect(outcome).toMatchObject({ ok: false });
    if (!outcome.ok) expect(outcome.message).toContain("電話番号");
  });
});
