/**
 * Issue 17 inside the services: an operator applies for a Tokyo line with a mistyped Osaka postal
 * code (NTT東日本, flagged); postal codes covering several towns or prefectures fill only what is
 * certain; a Shift_JIS batch keeps 〜 as 0x8160 and lists the 𠮷 record as substituted.
 */
import { randomUUID } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { applicationEvents, applications, auditLog, carrierOrders, paperIntakes, scans } from "../../db/schema";
import { confirmScan } from "../../app/lib/paper-verify.server";
import { batchFile, cutBatch, getBatch, substitutedRecordsOf } from "../../app/lib/carrier-batches.server";
import { planCarrierOrders } from "../../app/lib/carrier-orders.server";
import { entrySchema, entryView, submitEntry } from "../../app/lib/entry.server";
import { selectOrdersWithBatch } from "../../app/lib/carrier-order-status.server";
import { lookupPostalCode, lookupPostalPlaces, postalLookupNote } from "../../app/lib/postal.server";
import { createCarrierTestServices, setCarrier, verifiedApplication } from "../support/carrier-fixtures";
import type { TestServices } from "../support/services";

let services: TestServices;

beforeAll(async () => {
  services = await createCarrierTestServices();
});
afterAll(async () => {
  await services.close();
});

function entry(values: Record<string, unknown>) {
  return entrySchema.parse({
    token: randomUUID(),
    relation: "self",
    kanji: "山田 花子",
    kana: "ﾔﾏﾀﾞ ﾊﾅｺ",
    scopes: ["incoming"],
    ...values,
  });
}

describe("a Tokyo line with a mistyped Osaka postal code", () => {
  it.each(["ntt", "ntt-east"] as const)("goes to NTT東日本 as 東京都, with the mismatch flagged (choice %s)", async (choice) => {
    const result = await submitEntry(services, {
      operatorId: randomUUID(),
      values: entry({ number: choice === "ntt" ? "０３－５５５１－２３４５" : "（０３）５５５１・２３４６", postalCode: "〒530-0001", address: "東京都千代田区千代田1-1", choice }),
    });
    expect(result.kind).toBe("created");
    if (result.kind !== "created") return;
    const [app] = await services.db.select().from(applications).where(eq(applications.id, result.applicationId));
    expect(app!.carrierCode).toBe("ntt-east");
    expect(app!.prefecture).toBe(13);
    expect(result.regionFlags).toEqual([{ kind: "postal_code_other_prefecture", postalPrefecture: 27, addressPrefecture: 13 }]);
    const [received] = await services.db
      .select()
      .from(applicationEvents)
      .where(and(eq(applicationEvents.applicationId, result.applicationId), eq(applicationEvents.type, "received")));
    expect((received!.detail as { regionFlags?: unknown }).regionFlags).toEqual(result.regionFlags);
    // The operator sees it, in plain Japanese, on the entry page.
    const view = await entryView(services, result.applicationId);
    expect(view!.regionFlags).toEqual(["郵便番号（大阪府）と住所（東京都）の都道府県がちがいます。住所の都道府県で受け付けました。"]);
  });

  it("an explicit NTT西日本 for a Tokyo number goes to NTT東日本, and says so", async () => {
    const result = await submitEntry(services, {
      operatorId: randomUUID(),
      values: entry({ number: "03-5551-2347", postalCode: "1000001", address: "東京都千代田区千代田1-1", choice: "ntt-west" }),
    });
    if (result.kind !== "created") throw new Error(result.kind);
    const [app] = await services.db.select().from(applications).where(eq(applications.id, result.applicationId));
    expect(app!.carrierCode).toBe("ntt-east");
    expect(result.regionFlags).toEqual([{ kind: "choice_other_area", chosen: "ntt-west", lineRegion: "ntt-east" }]);
  });
});

describe("paper verification: a number typed with the IME is a number, and the mismatch is shown", () => {
  it("stores ０９０－… as 09012345678, keeps 東京都 over 〒５３０－０００１, NTT東日本, and says 要確認", async () => {
    const [intake] = await services.db
      .insert(paperIntakes)
      .values({ source: "fax_folder", originalFilename: "fax.png", contentType: "image/png", fileSha256: randomUUID().replace(/-/g, "").padEnd(64, "0"), pageCount: 1 })
      .returning();
    const png = Buffer.from("89504e470d0a1a0a0000000d49484452", "hex");
    const [scan] = await services.db
      .insert(scans)
      .values({ intakeId: intake!.id, pageNumber: 1, imageEnc: services.pii.sealBytes(png), status: "exception", exceptionReason: "marks_not_found" })
      .returning();
    const values = {
      formType: "application",
      phone: "０３－５５５２－０００１",
      scope: "incoming",
      carrier: "ntt",
      relation: "self",
      name: "山田 花子",
      kana: "ﾔﾏﾀﾞ ﾊﾅｺ",
      postalCode: "〒５３０－０００１",
      address: "東京都千代田区千代田１－１",
      contactPhone: "０９０－１２３４－５６７８",
      signature: "on",
    };
    const refused = await confirmScan(services, { scanId: scan!.id, operatorId: randomUUID(), values: { ...values, contactPhone: "０９０－１２３４－５６７８（携帯）" } });
    expect(refused).toMatchObject({ ok: false, errors: { contactPhone: expect.stringContaining("数字ではない文字（携・帯）") } });
    const confirmed = await confirmScan(services, { scanId: scan!.id, operatorId: randomUUID(), values });
    expect(confirmed).toMatchObject({ ok: true });
    if (!confirmed.ok) return;
    expect(confirmed.message).toContain("要確認：郵便番号（大阪府）と住所（東京都）の都道府県がちがいます。");
    const [app] = await services.db.select().from(applications).where(eq(applications.id, confirmed.applicationId!));
    expect(app).toMatchObject({ carrierCode: "ntt-east", prefecture: 13 });
    expect(services.pii.open(app!.contactPhoneEnc!)).toBe("09012345678");
    expect(services.pii.open(app!.postalCodeEnc!)).toBe("5300001");
    expect(services.pii.open(app!.subscriberKanaEnc!)).toBe("ヤマダ ハナコ");
  });
});

describe("postal codes that cover several towns or prefectures fill only what is certain", () => {
  it("452-0961: many towns of 清須市: the city is filled, the towns are offered", async () => {
    const places = await lookupPostalPlaces("4520961");
    expect(places!.prefectures).toEqual([23]);
    expect(places!.certain).toBe("愛知県清須市");
    expect(places!.towns.length).toBeGreaterThan(20);
    expect(places!.towns).toContain("春日明河原");
    expect(await lookupPostalCode("4520961")).toEqual({ prefecture: 23, prefectureName: "愛知県", address: "愛知県清須市" });
    expect(postalLookupNote(places!)).toMatch(/^この郵便番号には、いくつかの町があります（春日明河原、/);
  });

  it("618-0000: 京都府 and 大阪府: nothing is filled, the person types the prefecture", async () => {
    const places = await lookupPostalPlaces("6180000");
    expect(places!.prefectures).toEqual([26, 27]);
    expect(places!.certain).toBe("");
    expect(await lookupPostalCode("6180000")).toBeNull();
    expect(postalLookupNote(places!)).toBe("この郵便番号は、京都府と大阪府の両方にあります。住所を、都道府県から入力してください。");
  });

  it("one town: the whole address", async () => {
    expect(await lookupPostalCode("5300001")).toEqual({ prefecture: 27, prefectureName: "大阪府", address: "大阪府大阪市北区梅田" });
    expect(await lookupPostalCode("9999999")).toBeNull();
  });
});

describe("a Shift_JIS batch", () => {
  it("keeps 〜 in an address and a name as 0x8160 and lists the 𠮷 records as substituted, in the batch's record, the CutResult and the JSON", async () => {
    await setCarrier(services, "softbank", { fileFormat: "csv-sjis" });
    // 〜 (U+301C) is what macOS and iOS type; JIS X 0208 has it at 0x8160.
    const wave = await verifiedApplication(services, { choice: "softbank", subscriberName: "喫茶〜ひまわり", address: "東京都千代田区千代田1〜3" });
    const yoshi = await verifiedApplication(services, { choice: "softbank", subscriberName: "𠮷田 太郎", subscriberKana: "ヨシダ タロウ" });
    const yoshiStreet = await verifiedApplication(services, { choice: "softbank", subscriberName: "山田 花子", address: "東京都府中市𠮷野町2-1" });
    await planCarrierOrders(services);
    const cut = await cutBatch(services, "softbank");
    expect(cut).not.toBeNull();
    const orderOf = async (applicationId: string) => (await selectOrdersWithBatch(services.db).where(eq(carrierOrders.applicationId, applicationId)))[0]!;
    const [yoshiOrder, waveOrder, streetOrder] = [await orderOf(yoshi.applicationId), await orderOf(wave.applicationId), await orderOf(yoshiStreet.applicationId)];

    // The CSV: 〜 survives as 0x8160, in the name and in the address; 𠮷 is 〓.
    const summary = (await getBatch(services, "softbank", cut!.batchId))!;
    const bytes = await batchFile(services, summary, "csv").buffer();
    const text = new TextDecoder("shift_jis", { fatal: true }).decode(bytes);
    const waveRow = text.split("\r\n").find((line) => line.startsWith(waveOrder.id))!;
    expect(waveRow).toContain(",喫茶～ひまわり,");
    expect(waveRow.endsWith(",東京都千代田区千代田1～3")).toBe(true);
    expect(bytes.includes(Buffer.from([0x31, 0x81, 0x60, 0x33]))).toBe(true); // 1〜3 in the address
    expect(text).toContain("〓田 太郎");
    expect(text).toContain("東京都府中市〓野町2-1");
    expect(cut!.substituted).toBe(2);

    // Listed: the result, the batch's audit record (for the back office), and the JSON flag.
    expect(cut!.substitutedRecords).toEqual(
      [
        { seq: yoshiOrder.batchPosition, recordId: yoshiOrder.id, fields: [{ field: "subscriber_name", characters: ["𠮷"] }] },
        { seq: streetOrder.batchPosition, recordId: streetOrder.id, fields: [{ field: "installation_address", characters: ["𠮷"] }] },
      ].sort((a, b) => Number(a.seq) - Number(b.seq)),
    );
    const listed = await substitutedRecordsOf(services, [cut!.batchId]);
    expect(listed.get(cut!.batchId)).toEqual(cut!.substitutedRecords);
    const [audit] = await services.db.select().from(auditLog).where(and(eq(auditLog.subjectType, "carrier_batch"), eq(auditLog.subjectId, cut!.batchId)));
    expect(JSON.stringify(audit!.detail)).not.toContain("𠮷");

    const json = JSON.parse((await batchFile(services, summary, "json").buffer()).toString("utf8")) as { records: Record<string, unknown>[] };
    const recordOf = (id: string) => json.records.find((r) => r.record_id === id)!;
    expect(recordOf(yoshiOrder.id).shift_jis_substituted).toEqual(["subscriber_name"]);
    expect(recordOf(yoshiOrder.id).subscriber_name).toBe("𠮷田 太郎");
    expect(recordOf(streetOrder.id).shift_jis_substituted).toEqual(["installation_address"]);
    expect(recordOf(streetOrder.id).installation_address).toBe("東京都府中市𠮷野町2-1");
    expect(recordOf(waveOrder.id)).not.toHaveProperty("shift_jis_substituted");
    expect(recordOf(waveOrder.id).installation_address).toBe("東京都千代田区千代田1〜3");
    await setCarrier(services, "softbank", { fileFormat: "csv-utf8" });
  });
});
