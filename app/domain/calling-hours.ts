/**
 * When the centre's automatic calls may ring a subscriber's line: nobody's phone rings at night by
 * itself. Hours are Japan time (UTC+9, no daylight saving), [from, to).
 */
export type CallingHours = { readonly from: number; readonly to: number };

/** 9:00–20:00 JST: paper confirmations, verification retries and cancellation confirmations alike. */
export const CALLING_HOURS_JST: CallingHours = { from: 9, to: 20 };

const HOUR_MS = 60 * 60 * 1000;
const JST_OFFSET_MS = 9 * HOUR_MS;

/** Is `at` within `hours` in Japan? */
export function withinCallingHours(at: Date, hours: CallingHours = CALLING_HOURS_JST): boolean {
  const hour = (at.getUTCHours() + 9) % 24;
  return hour >= hours.from && hour < hours.to;
}

/** `at` itself within `hours`, else the next opening (`hours.from` JST, today or tomorrow). */
export function nextCallingTime(at: Date, hours: CallingHours = CALLING_HOURS_JST): Date {
  if (withinCallingHours(at, hours)) return at;
  const jst = new Date(at.getTime() + JST_OFFSET_MS);
  const openToday = Date.UTC(jst.getUTCFullYear(), jst.getUTCMonth(), jst.getUTCDate(), hours.from) - JST_OFFSET_MS;
  return new Date(openToday > at.getTime() ? openToday : openToday + 24 * HOUR_MS);
}
