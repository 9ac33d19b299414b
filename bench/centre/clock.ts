/**
 * The simulated clock of the centre's day (services.now), and the cron expressions of
 * workers/schedules.ts evaluated on it (Asia/Tokyo: UTC+9, no daylight saving).
 */
export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;
const JST_OFFSET = 9 * HOUR;

export type SimClock = { now: () => Date; set(date: Date): void; current(): Date };

/** Each reading ticks 1 ms, so rows written one after another keep their order (as test/support/services.ts does). */
export function simClock(start: Date): SimClock {
  let current = start.getTime();
  return {
    now: () => {
      current += 1;
      return new Date(current);
    },
    set: (date) => {
      current = date.getTime();
    },
    current: () => new Date(current),
  };
}

/** Wall-clock parts of `at` in Japan. */
export function jst(at: Date) {
  const d = new Date(at.getTime() + JST_OFFSET);
  return { minute: d.getUTCMinutes(), hour: d.getUTCHours(), day: d.getUTCDate(), month: d.getUTCMonth() + 1, weekday: d.getUTCDay(), date: d.toISOString().slice(0, 10) };
}

/** "HH:MM" in Japan, for the printout. */
export function jstLabel(at: Date): string {
  const d = new Date(at.getTime() + JST_OFFSET);
  return `${d.toISOString().slice(5, 10)} ${d.toISOString().slice(11, 16)} JST`;
}

/** Midnight in Japan of the day `at` falls on, plus `dayOffset` days and `minutesIntoDay` minutes. */
export function atJst(at: Date, dayOffset: number, minutesIntoDay: number): Date {
  const midnightJst = Math.floor((at.getTime() + JST_OFFSET) / DAY) * DAY - JST_OFFSET;
  return new Date(midnightJst + dayOffset * DAY + minutesIntoDay * MINUTE);
}

function fieldMatches(spec: string, value: number, min: number): boolean {
  return spec.split(",").some((part) => {
    const [range, stepText] = part.split("/") as [string, string | undefined];
    const step = stepText ? Number(stepText) : 1;
    let lo: number;
    let hi: number;
    if (range === "*") {
      lo = min;
      hi = Number.MAX_SAFE_INTEGER;
    } else if (range.includes("-")) {
      [lo, hi] = range.split("-").map(Number) as [number, number];
    } else {
      lo = Number(range);
      hi = stepText ? Number.MAX_SAFE_INTEGER : lo;
    }
    return value >= lo && value <= hi && (value - lo) % step === 0;
  });
}

/** Whether a five-field cron expression fires at this minute (in Japan). */
export function cronMatches(cron: string, at: Date): boolean {
  const [m, h, dom, mon, dow] = cron.trim().split(/\s+/) as [string, string, string, string, string];
  const t = jst(at);
  return (
    fieldMatches(m, t.minute, 0) &&
    fieldMatches(h, t.hour, 0) &&
    fieldMatches(dom, t.day, 1) &&
    fieldMatches(mon, t.month, 1) &&
    (fieldMatches(dow, t.weekday, 0) || (t.weekday === 0 && fieldMatches(dow, 7, 0)))
  );
}
