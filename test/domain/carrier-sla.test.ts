import { slaBreaches, slaCutoffs } from "../../app/domain/carrier-sla";

const config = { ackHours: 24, doneHours: 120 };
const at = (h: number) => new Date(Date.UTC(2026, 10, 20) + h * 3600_000);

describe("carrier SLA", () => {
  it("flags a batch not acknowledged in time, and an order without a result in time", () => {
    const order = { status: "batched", createdAt: at(0), cutAt: at(1), ackedAt: null };
    expect(slaBreaches(order, at(24), config)).toEqual([]);
    expect(slaBreaches(order, at(26), config)).toEqual([{ kind: "not_acknowledged", overdueHours: 1 }]);
    // Longest overdue first: the acknowledgement (96 h late) before the result (1 h late).
    expect(slaBreaches(order, at(121), config)).toEqual([
      { kind: "not_acknowledged", overdueHours: 96 },
      { kind: "not_done", overdueHours: 1 },
    ]);
    expect(slaBreaches({ ...order, status: "acknowledged", ackedAt: at(2) }, at(121), config)).toEqual([{ kind: "not_done", overdueHours: 1 }]);
    expect(slaBreaches({ ...order, status: "done" }, at(500), config)).toEqual([]);
    expect(slaBreaches({ status: "pending", createdAt: at(0), cutAt: null, ackedAt: null }, at(130), config)).toEqual([{ kind: "not_done", overdueHours: 10 }]);
  });

  it("gives the cut-offs for the database query", () => {
    expect(slaCutoffs(at(200), config)).toEqual({ ackBefore: at(176), doneBefore: at(80) });
  });
});
