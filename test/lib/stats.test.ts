import { eq } from "drizzle-orm";
import { applicationEvents, carrierBatchOrders, carrierBatches, carrierOrders, lines } from "../../db/schema";
import { applicationsByChannel, csvField, periodFrom, slaBreachCounts, startOfJstDay, startOfJstWeek, statistics, statisticsCsv } from "../../app/lib/stats.server";
import { createTestServices, testClock, type TestServices } from "../support/services";
import { apply } from "../support/ops-scenario";

let services: TestServices;

beforeAll(async () => {
  // Thursday 2026-11-19 10:00 JST.
  services = await createTestServices({ clock: testClock("2026-11-19T01:00:00Z") });
});
afterAll(async () => {
  await services.close();
});

async function complete(applicationId: string, afterHours: number, createdAt: Date) {
  await services.db.insert(applicationEvents).values({ applicationId, type: "completed", actor: "carrier:kddi", fromStatus: "acknowledged", toStatus: "completed", at: new Date(createdAt.getTime() + afterHours * 3600_000) });
}

describe("statistics", () => {
  it("knows the centre's day and week in Japan time", () => {
    expect(startOfJstDay(new Date("2026-11-19T16:00:00Z")).toISOString()).toBe("2026-11-19T15:00:00.000Z");
    expect(startOfJstWeek(new Date("2026-11-19T01:00:00Z")).toISOString()).toBe("2026-11-15T15:00:00.000Z");
  });

  it("counts by channel, carrier and prefecture, and measures lead times to completion", async () => {
    const monday = new Date("2026-11-16T01:00:00Z");
    services.clock.set(monday);
    const a = await apply(services, { lineE164: "+81312340201", channel: "web", carrierChoice: "kddi", prefecture: 13 });
    const b = await apply(services, { lineE164: "+81312340202", channel: "ivr", carrierChoice: "softbank", prefecture: 13 });
    const c = await apply(services, { lineE164: "+81662340203", channel: "web", carrierChoice: "ntt-west", prefecture: 27 });
    services.clock.set("2026-11-19T01:00:00Z");
    await apply(services, { lineE164: "+81312340204", channel: "operator", carrierChoice: "unknown", prefecture: null });
    await complete(a.applicationId, 24, monday);
    await complete(b.applicationId, 48, monday);
    await complete(c.applicationId, 96, monday);

    const byChannel = await applicationsByChannel(services);
    expect(byChannel).toEqual([
      { channel: "web", label: "ウェブ", today: 0, week: 2 },
      { channel: "ivr", label: "電話（自動音声）", today: 0, week: 1 },
      { channel: "paper", label: "郵送・FAX", today: 0, week: 0 },
      { channel: "operator", label: "職員入力", today: 1, week: 1 },
    ]);

    const period = periodFrom(new URLSearchParams({ from: "2026-11-01", to: "2026-11-30" }), services.now());
    expect(period.ok).toBe(true);
    if (!period.ok) return;
    const stats = await statistics(services, period.period);
    expect(stats.total).toBe(4);
    expect(stats.byChannel.find((r) => r.key === "web")?.count).toBe(2);
    expect(stats.byCarrier).toEqual(
      expect.arrayContaining([
        { key: "kddi", label: "KDDI", count: 1 },
        { key: "softbank", label: "ソフトバンク", count: 1 },
        { key: "ntt-west", label: "NTT西日本", count: 1 },
        { key: "unknown", label: "未定（問い合わせ中）", count: 1 },
      ]),
    );
    expect(stats.byPrefecture).toEqual([
      { key: "13", label: "東京都", count: 2 },
      { key: "27", label: "大阪府", count: 1 },
      { key: "unknown", label: "不明", count: 1 },
    ]);
    const all = stats.leadTime.find((r) => r.group === "all")!;
    expect(all).toMatchObject({ completed: 3, p50Hours: 48 });
    // percentile_cont(0.9) over 24, 48, 96 hours: 48 + 0.8 × 48.
    expect(all.p90Hours).toBeCloseTo(86.4, 1);
    expect(stats.leadTime.find((r) => r.group === "web")).toMatchObject({ completed: 2, p50Hours: 60 });

    const csv = statisticsCsv(stats);
    expect(csv.startsWith("\uFEFF集計,区分コード,区分,件数")).toBe(true);
    expect(csv).toContain("\r\n");
    expect(csv).toContain("期間,,2026-11-01〜2026-11-30,4");
    expect(csv).toContain("都道府県別,13,東京都,2");
    expect(csv).toContain("完了までの時間,all,すべて,,3,48,86.4");
  });

  it("quotes CSV fields and defuses spreadsheet formulas", () => {
    expect(csvField('a,"b"')).toBe('"a,""b"""');
    expect(csvField("=1+1")).toBe("'=1+1");
    expect(csvField(-3)).toBe("-3");
    expect(csvField(null)).toBe("");
  });

  it("refuses a period that ends before it starts, and defaults to this month", () => {
    expect(periodFrom(new URLSearchParams({ from: "2026-11-10", to: "2026-11-01" }), services.now()).ok).toBe(false);
    expect(periodFrom(new URLSearchParams({ from: "11/01" }), services.now()).ok).toBe(false);
    expect(periodFrom(new URLSearchParams(), new Date("2026-11-19T01:00:00Z"))).toMatchObject({ ok: true, from: "2026-11-01", to: "2026-11-19" });
  });

  it("counts carrier orders late against the SLA", async () => {
    const now = services.now();
    const [line] = await services.db.select().from(lines).where(eq(lines.e164, "+81312340201"));
    const [batch] = await services.db
      .insert(carrierBatches)
      .values({ carrierCode: "kddi", sequence: 1, recordCount: 1, fileFormat: "json", fileSha256: "x", signature: "x", status: "sent", cutAt: new Date(now.getTime() - 30 * 3600_000), sentAt: new Date(now.getTime() - 30 * 3600_000) })
      .returning({ id: carrierBatches.id });
    const order = (key: string, status: string, hoursAgo: number) => ({
      carrierCode: "kddi",
      lineId: line!.id,
      action: "SUSPEND",
      scope: "incoming",
      status,
      idempotencyKey: key,
      e164: line!.e164,
      createdAt: new Date(now.getTime() - hoursAgo * 3600_000),
    });
    const inserted = await services.db
      .insert(carrierOrders)
      .values([
        order("sla-1", "pending", 30), // in the batch (ADR 027: still 'pending' in its row), not acknowledged after 24 h
        order("sla-1b", "batched", 30), // the same, cut before ADR 027
        order("sla-2", "acknowledged", 200), // no result after 120 h
        order("sla-3", "done", 300), // finished: not late
        order("sla-4", "pending", 2), // recent
      ])
      .returning({ id: carrierOrders.id, key: carrierOrders.idempotencyKey });
    const idOf = (key: string) => inserted.find((r) => r.key === key)!.id;
    await services.db.insert(carrierBatchOrders).values([
      { batchId: batch!.id, position: 1, orderId: idOf("sla-1") },
      { batchId: batch!.id, position: 2, orderId: idOf("sla-1b") },
    ]);
    const sla = await slaBreachCounts(services);
    expect(sla).toMatchObject({ ackHours: 24, doneHours: 120, notAcknowledged: 2, notDone: 1 });
    expect(sla.byCarrier).toEqual([{ carrier: "KDDI", notAcknowledged: 2, notDone: 1 }]);
  });
});
