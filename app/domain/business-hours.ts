/**
 * When the operators answer the phone: weekdays 9:00–17:00 in Japan, except 国民の祝日 and 振替休日
 * (and 国民の休日), from @holiday-jp/holiday_jp, and the year-end/new-year closure (12/29–1/3).
 * Pure: the clock is passed in.
 */
import holidayJp from "@holiday-jp/holiday_jp";

export const OPERATOR_HOURS = { openHour: 9, closeHour: 17 } as const;

/** What the IVR says about the hours (plain words; the closure days named). */
export const OPERATOR_HOURS_TEXT = "オペレーターは、平日の9時から17時まで、お受けしています。土曜、日曜、祝日、振替休日と、12月29日から1月3日までは、お休みです。";

type JstDay = {
  year: number;
  month: number;
  day: number;
  weekday: number;
  hour: number;
  iso: string;
};

function jst(now: Date): JstDay {
  const t = new Date(now.getTime() + 9 * 3600_000);
  const year = t.getUTCFullYear();
  const month = t.getUTCMonth() + 1;
  const day = t.getUTCDate();
  const iso = `${year}-${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}`;
  return {
    year,
    month,
    day,
    weekday: t.getUTCDay(),
    hour: t.getUTCHours(),
    iso,
  };
}

/** The name of the national holiday on that Japanese calendar day (振替休日 included), or null. */
export function japaneseHoliday(now: Date): string | null {
  const holidays = holidayJp.holidays as Record<string, { name: string } | undefined>;
  return holidays[jst(now).iso]?.name ?? null;
}

/** 12月29日〜1月3日. */
export function inYearEndClosure(now: Date): boolean {
  const { month, day } = jst(now);
  return (month === 12 && day >= 29) || (month === 1 && day <= 3);
}

/** Whether the operator desk is open at `now`. */
export function operatorsAvailable(now: Date): boolean {
  const d = jst(now);
  if (d.weekday === 0 || d.weekday === 6) return false;
  if (d.hour < OPERATOR_HOURS.openHour || d.hour >= OPERATOR_HOURS.closeHour) return false;
  return japaneseHoliday(now) === null && !inYearEndClosure(now);
}
