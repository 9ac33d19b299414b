import { carrierOrders, ivrCalls, lines } from "../../db/schema";
import { eq } from "drizzle-orm";
import { lineView } from "../../app/lib/timeline.server";
import { startVerification } from "../../app/lib/verification.server";
import { createTestServices, type TestServices } from "../support/services";
import { apply } from "../support/ops-scenario";

let services: TestServices;

beforeAll(async () => {
  services = await createTestServices();
});
afterAll(async () => {
  await services.close();
});

describe("a line's timeline", () => {
  it("gathers applications, events, verifications, carrier orders, messages and IVR calls, oldest first", async () => {
    const e164 = "+81312340101";
    const started = await startVerification(services, { lineE164: e164, purpose: "apply", method: "callback", client: "test" });
    expect(started.ok).toBe(true);
    const app = await apply(services, { lineE164: e164, subscriberName: "佐藤 一郎", subscriberKana: "サトウ イチロウ", contactPhone: "0312340101" });
    const [line] = await services.db.select().from(lines).where(eq(lines.e164, e164));
    await services.db.insert(carrierOrders).values({
      carrierCode: "kddi",
      lineId: line!.id,
      applicationId: app.applicationId,
      action: "SUSPEND",
      scope: "incoming",
      status: "done",
      idempotencyKey: "timeline-test-order",
      e164,
      requestRef: app.reference,
      resultCode: "DONE",
      resultAt: services.now(),
      effectiveDate: "2026-11-21",
    });
    await services.comms.queueLetter({ idempotencyKey: "timeline-letter", purpose: "completion", to: "〒1000001 東京都千代田区千代田1-1 佐藤 一郎 様", template: "completion", applicationId: app.applicationId, data: { reference: app.reference } });
    await services.db.insert(ivrCalls).values({ callSid: "CA-timeline", fromEnc: services.pii.seal(e164), fromHash: services.pii.searchHash(e164), purpose: "status", node: "menu", answersEnc: services.pii.seal("{}"), status: "completed" });

    const view = await lineView(services, line!.id);
    expect(view).not.toBeNull();
    if (!view) return;
    expect(view.line).toMatchObject({ number: "03-1234-0101", incoming: "手続き中" });
    expect(view.applications).toHaveLength(1);
    expect(view.applications[0]).toMatchObject({ reference: app.reference, subscriberName: "佐藤 一郎", subscriberKana: "サトウ イチロウ", address: "東京都千代田区千代田1-1", contactPhone: "0312340101" });
    const kinds = new Set(view.timeline.map((e) => e.kind));
    expect([...kinds].sort()).toEqual(["application", "carrier", "ivr", "message", "verification"]);
    const titles = view.timeline.map((e) => e.title).join("\n");
    expect(titles).toContain("受け付けました");
    expect(titles).toContain("KDDIへ休止の依頼（着信休止）");
    expect(titles).toContain("KDDIの回答：手続き完了");
    expect(titles).toContain("手紙（手続き完了のお知らせ）");
    expect(titles).toContain("電話（音声）（確認の電話）");
    expect(view.timeline.map((e) => e.detail).join("\n")).not.toMatch(/確認番号は、\d/);
    expect(titles).toContain("自動音声への電話（用件：状況確認）");
    const times = view.timeline.map((e) => e.at);
    expect([...times].sort()).toEqual(times);
    expect(view.openedFields).toEqual(expect.arrayContaining(["subscriberName", "subscriberKana", "address", "postalCode", "contactPhone"]));
    expect(view.ids.applications).toEqual([app.applicationId]);
  });

  it("returns null for an unknown line", async () => {
    expect(await lineView(services, "00000000-0000-4000-8000-000000000000")).toBeNull();
  });
});
