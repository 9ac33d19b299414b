import { and, gte, inArray, sql } from "drizzle-orm";
import { applications, outbox } from "../../db/schema";
import type { Services } from "./services.server";

/** Start of today in Japan (the centre's day), as an instant. */
export function startOfJstDay(now: Date): Date {
  const jst = new Date(now.getTime() + 9 * 3600_000);
  jst.setUTCHours(0, 0, 0, 0);
  return new Date(jst.getTime() - 9 * 3600_000);
}

/** Monday 00:00 JST of this week. */
export function startOfJstWeek(now: Date): Date {
  const day = startOfJstDay(now);
  const weekday = new Date(day.getTime() + 9 * 3600_000).getUTCDay(); // 0 = Sunday
  return new Date(day.getTime() - ((weekday + 6) % 7) * 86_400_000);
}

export async function dashboardCounts(services: Pick<Services, "db" | "now">) {
  const { db, now } = services;
  const current = now();
  const countByChannel = async (since: Date) => {
    const rows = await db
      .select({ channel: applications.channel, count: sql<number>`count(*)::int` })
      .from(applications)
      .where(gte(applications.createdAt, since))
      .groupBy(applications.channel);
    return Object.fromEntries(rows.map((r) => [r.channel, Number(r.count)])) as Record<string, number>;
  };
  const [waiting] = await db
    .select({ count: sql<number>`count(*)::int` })
    .from(outbox)
    .where(and(inArray(outbox.status, ["queued", "sending", "held", "failed"])));
  return {
    today: await countByChannel(startOfJstDay(current)),
    week: await countByChannel(startOfJstWeek(current)),
    outboxWaiting: Number(waiting?.count ?? 0),
  };
}
