import { eq } from "drizzle-orm";
import { letterBatches, outbox } from "../../db/schema";
import { batchDetail, createLetterBatch, listBatches, markBatchMailed, printQueue, recipientOf, renderLetterBatch } from "../../app/lib/letters.server";
import { LETTER_TEMPLATES, letterTemplate } from "../../templates/letters";
import { renderApplicationForm } from "../../templates/forms/application";
import { createOperator } from "../support/ops";
import { createTestServices, type TestServices } from "../support/services";

let services: TestServices;
let operatorId: string;

beforeAll(async () => {
  services = await createTestServices();
  operatorId = (await createOperator(services, { username: "printer", role: "operator" })).id;
});
afterAll(async () => {
  await services.close();
});

const pages = (pdf: Buffer) => (pdf.toString("latin1").match(/\/Type \/Page(?![s\w])/g) ?? []).length;

describe("letter recipients", () => {
  it("takes the parts from the letter's data when it has them", () => {
    expect(recipientOf("whatever", { name: "鈴木 次郎", postalCode: "1000001", address: "東京都千代田区千代田1の1" })).toEqual({ name: "鈴木 次郎", postalCode: "1000001", address: "東京都千代田区千代田1の1" });
    expect(recipientOf("x", { subscriberName: "佐藤 一郎", postalCode: "5300001", address: "大阪府大阪市北区梅田1-1" })).toMatchObject({ name: "佐藤 一郎" });
  });

  it("parses a one-line recipient: postal code, address, name and 様", () => {
    expect(recipientOf("〒1000001 東京都千代田区千代田1-1 山田 花子 様", {})).toEqual({ postalCode: "1000001", address: "東京都千代田区千代田1-1", name: "山田 花子" });
    expect(recipientOf("〒530-0001 大阪府大阪市北区梅田1丁目2番3号 マンション101 田中 様", {})).toEqual({
      postalCode: "530-0001",
      address: "大阪府大阪市北区梅田1丁目2番3号 マンション101",
      name: "田中",
    });
  });
});

describe("letter templates", () => {
  it("has the completion letter, the prefilled form and the cooling-off notice, and a generic fallback", () => {
    expect(Object.keys(LETTER_TEMPLATES).sort()).toEqual(["application-form-prefilled", "cancellation-cooling-off", "completion"]);
    expect(letterTemplate("no-such-template").label).toBe("お知らせ（汎用）");
    expect(letterTemplate(null).label).toBe("お知らせ（汎用）");
  });
});

describe("the print queue", () => {
  it("prints the waiting letters as one PDF per batch, marks them printed, and keeps unchecked ones back", async () => {
    const common = { purpose: "test" };
    const completion = await services.comms.queueLetter({
      ...common,
      idempotencyKey: "letters-completion",
      to: "〒1000001 東京都千代田区千代田1-1 山田 花子 様",
      template: "completion",
      data: {
        reference: "12345678901",
        referenceDisplay: "1234-5678-901",
        number: "03-1234-5678",
        scopes: ["着信休止"],
        scopeDescriptions: ["外国からの電話が、この電話にかかってこないようにします。"],
        effectiveDate: "2026-11-21",
        carrierName: "KDDI",
        subscriberName: "山田 花子",
        postalCode: "1000001",
        address: "東京都千代田区千代田1-1",
        centrePhone: "0570-000-110",
        preparedAt: "2026-11-21T01:00:00Z",
      },
    });
    const form = await services.comms.queueLetter({
      ...common,
      idempotencyKey: "letters-form",
      to: "〒1000001 東京都千代田区千代田1の1 鈴木 次郎",
      template: "application-form-prefilled",
      data: { requestId: "req-1", number: "+81312340007", name: "鈴木 次郎", postalCode: "1000001", address: "東京都千代田区千代田1の1", needsCheck: false },
    });
    const notice = await services.comms.queueLetter({
      ...common,
      idempotencyKey: "letters-notice",
      to: "〒1000001 東京都千代田区千代田1-1 山田 花子 様",
      template: "cancellation-cooling-off",
      data: { reference: "98765432109", number: "+81312345678", until: "2026-11-24T01:00:00Z", text: "解除のお申し出がありました。" },
    });
    const unchecked = await services.comms.queueLetter({
      ...common,
      idempotencyKey: "letters-unchecked",
      to: "〒1000001 とうきょうと 鈴木",
      template: "application-form-prefilled",
      data: { requestId: "req-2", number: "+81312340008", name: "すずき", needsCheck: true },
    });

    const queue = await printQueue(services);
    expect(queue.map((l) => [l.id, l.needsCheck])).toEqual([
      [completion, false],
      [form, false],
      [notice, false],
      [unchecked, true],
    ]);
    expect(queue[0]!.recipientName).toBe("山田 花子");

    const batch = await createLetterBatch(services, { operatorId });
    expect(batch).toMatchObject({ ok: true, sequence: 1, count: 3 });
    if (!batch.ok) return;
    expect(batch.pdf.subarray(0, 5).toString()).toBe("%PDF-");
    // A separator page, then: completion (1) + cover letter (1) and form + generic (1).
    const formPages = pages(await renderApplicationForm({ requestId: "req-1" }));
    expect(pages(batch.pdf)).toBe(1 + 1 + 1 + formPages + 1);
    const statuses = await services.db.select({ id: outbox.id, status: outbox.status }).from(outbox);
    expect(Object.fromEntries(statuses.map((s) => [s.id, s.status]))).toMatchObject({ [completion]: "printed", [form]: "printed", [notice]: "printed", [unchecked]: "queued" });

    // Nothing left to print until the unchecked letter is confirmed.
    expect(await createLetterBatch(services, { operatorId })).toEqual({ ok: false, reason: "empty" });

    // The PDF is rendered again from the sealed rows, byte for byte.
    const again = await renderLetterBatch(services, batch.batchId);
    expect(again?.matches).toBe(true);
    expect(again?.pdf.equals(batch.pdf)).toBe(true);

    const detail = await batchDetail(services, batch.batchId);
    expect(detail?.letters.map((l) => l.recipientName)).toEqual(["山田 花子", "鈴木 次郎", "山田 花子"]);

    expect(await markBatchMailed(services, { batchId: batch.batchId, operatorId })).toEqual({ ok: true, letters: 3 });
    expect(await markBatchMailed(services, { batchId: batch.batchId, operatorId })).toEqual({ ok: false, reason: "already_mailed" });
    const mailed = await services.db.select().from(outbox).where(eq(outbox.id, completion));
    expect(mailed[0]).toMatchObject({ status: "mailed" });
    expect(mailed[0]!.sentAt).not.toBeNull();
    const [row] = await services.db.select().from(letterBatches).where(eq(letterBatches.id, batch.batchId));
    expect(row!.mailedBy).toBe(operatorId);
    expect((await listBatches(services))[0]).toMatchObject({ sequence: 1, count: 3 });
  });

  it("lets two print runs at once take each letter once", async () => {
    for (let i = 0; i < 4; i++) {
      await services.comms.queueLetter({ purpose: "test", idempotencyKey: `race-${i}`, to: "〒1000001 東京都千代田区千代田1-1 山田 花子 様", template: "other", data: { text: "お知らせです。" } });
    }
    const [a, b] = await Promise.all([createLetterBatch(services, { operatorId }), createLetterBatch(services, { operatorId })]);
    const counts = [a, b].map((r) => (r.ok ? r.count : 0)).sort();
    expect(counts).toEqual([0, 4]);
  });
});
