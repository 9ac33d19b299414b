import { BATCH_SCHEDULES, scheduleJobName } from "../../app/domain/carrier-schedules";
import { JOB_NAMES } from "../../app/lib/jobs";
import { CARRIER_JOB_HANDLERS } from "../../app/lib/carrier-dispatch.server";
import { SCHEDULES } from "../../workers/schedules";
import { HANDLERS } from "../../workers/handlers";

describe("carrier batch schedules", () => {
  it("every schedule a carrier can name has exactly one cron entry in workers/schedules.ts, and a handler", () => {
    for (const schedule of BATCH_SCHEDULES) {
      const name = scheduleJobName(schedule);
      expect(Object.values(JOB_NAMES)).toContain(name);
      expect(SCHEDULES.filter((s) => s.name === name)).toHaveLength(1);
      expect(HANDLERS[name]).toBe(CARRIER_JOB_HANDLERS[name]);
    }
  });

  it("the daily schedule runs at 17:00 and the planner every minute (Asia/Tokyo)", () => {
    expect(SCHEDULES.find((s) => s.name === "carriers.cut.daily-1700")!.cron).toBe("0 17 * * *");
    expect(SCHEDULES.find((s) => s.name === JOB_NAMES.planCarrierOrders)!.cron).toBe("* * * * *");
  });
});
