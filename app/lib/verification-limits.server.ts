/**
 * Limits on starting a check of the line from the web (issue 16, point 3): per number, and per booth
 * or device — not per client address. A police or city-hall booth, a care home and a mobile network
 * share one address; counting per address turned away the eleventh applicant of an hour.
 *
 *  - per number: verification.server.ts (calls to one line per hour), unchanged;
 *  - per device: a random id in a long-lived HttpOnly cookie (`apply_device`). An ordinary browser
 *    may start MAX_STARTS_PER_CLIENT_PER_HOUR checks an hour (verification.server.ts counts them under
 *    the client key this module gives it);
 *  - per booth: a device in assisted mode (/apply?assisted=1) serves one person after another, so the
 *    per-client count is per application there, and the booth device as a whole may start
 *    PER_BOOTH_PER_HOUR;
 *  - per address: a high ceiling only (someone clearing cookies in a loop), PER_ADDRESS_PER_HOUR.
 *
 * Booth and address counts are rows in `rate_limit_events` (buckets below), keyed by keyed hashes.
 * Every refusal says what happened and how to go on (wait, or apply by phone from the line).
 */
import { randomBytes } from "node:crypto";
import type { AppLoadContext } from "@remix-run/node";
import { and, asc, eq, gte, inArray, lt } from "drizzle-orm";
import type { DbOrTx } from "../../db/client";
import { rateLimitEvents } from "../../db/schema";
import { formatDisplay } from "../domain/phone";
import { ja } from "../locales/ja";
import type { Services } from "./services.server";

export const DEVICE_COOKIE = "apply_device";
const DEVICE_COOKIE_MAX_AGE_S = 400 * 24 * 60 * 60;
const HOUR_MS = 60 * 60 * 1000;

export const PER_BOOTH_PER_HOUR = 120;
export const PER_ADDRESS_PER_HOUR = 300;

const BUCKET_BOOTH = "verification.start_booth";
const BUCKET_ADDRESS = "verification.start_address";

export type Device = { id: string; setCookie: string | null };

/** This browser's device id, or a new one (with the Set-Cookie header to send back). */
export function deviceFrom(request: Request, context: AppLoadContext): Device {
  const found = (request.headers.get("Cookie") ?? "").match(new RegExp(`(?:^|;\\s*)${DEVICE_COOKIE}=([A-Za-z0-9_-]{22,64})`))?.[1];
  if (found) return { id: found, setCookie: null };
  const id = randomBytes(18).toString("base64url");
  const secure = context.services.config.publicBaseUrl.startsWith("https://") ? "; Secure" : "";
  return { id, setCookie: `${DEVICE_COOKIE}=${id}; Path=/apply; HttpOnly; SameSite=Lax; Max-Age=${DEVICE_COOKIE_MAX_AGE_S}${secure}` };
}

/**
 * The client key verification.server.ts counts its per-client limit under: the device, or at a
 * booth one application (the booth's own limit is checkStartLimits').
 */
export function verificationClient(device: Device, draft: { id: string; assisted: boolean }): string {
  return draft.assisted ? `booth:${device.id}:draft:${draft.id}` : `device:${device.id}`;
}

export type LimitCheck = { ok: true } | { ok: false; reason: "rate_limited_booth" | "rate_limited_address"; message: string };

function minutesLeft(oldest: Date | undefined, now: Date): number {
  if (!oldest) return 60;
  return Math.max(1, Math.ceil((oldest.getTime() + HOUR_MS - now.getTime()) / 60_000));
}

async function countSince(tx: DbOrTx, bucket: string, keyHash: string, since: Date) {
  const rows = await tx
    .select({ at: rateLimitEvents.at })
    .from(rateLimitEvents)
    .where(and(eq(rateLimitEvents.bucket, bucket), eq(rateLimitEvents.keyHash, keyHash), gte(rateLimitEvents.at, since)))
    .orderBy(asc(rateLimitEvents.at));
  return { n: rows.length, oldest: rows[0]?.at };
}

function keys(services: Pick<Services, "pii">, device: Device, clientIp: string) {
  return { booth: services.pii.searchHash(`booth:${device.id}`), address: services.pii.searchHash(`ip:${clientIp}`) };
}

/** Before a start: the booth's and the address's counts of the last hour. */
export async function checkStartLimits(
  tx: DbOrTx,
  services: Pick<Services, "pii" | "now" | "config">,
  input: { device: Device; assisted: boolean; clientIp: string },
): Promise<LimitCheck> {
  const now = services.now();
  const since = new Date(now.getTime() - HOUR_MS);
  const k = keys(services, input.device, input.clientIp);
  const centre = formatDisplay(services.config.centrePhoneNumber);
  if (input.assisted) {
    const booth = await countSince(tx, BUCKET_BOOTH, k.booth, since);
    if (booth.n >= PER_BOOTH_PER_HOUR) return { ok: false, reason: "rate_limited_booth", message: ja.verification.limitedBooth(minutesLeft(booth.oldest, now), centre) };
  }
  const address = await countSince(tx, BUCKET_ADDRESS, k.address, since);
  if (address.n >= PER_ADDRESS_PER_HOUR) return { ok: false, reason: "rate_limited_address", message: ja.verification.limitedAddress(minutesLeft(address.oldest, now), centre) };
  return { ok: true };
}

/** After a start: count it (and drop this module's rows older than the window). */
export async function recordStart(
  tx: DbOrTx,
  services: Pick<Services, "pii" | "now">,
  input: { device: Device; assisted: boolean; clientIp: string },
): Promise<void> {
  const now = services.now();
  const k = keys(services, input.device, input.clientIp);
  await tx.delete(rateLimitEvents).where(and(inArray(rateLimitEvents.bucket, [BUCKET_BOOTH, BUCKET_ADDRESS]), lt(rateLimitEvents.at, new Date(now.getTime() - HOUR_MS))));
  await tx.insert(rateLimitEvents).values([
    ...(input.assisted ? [{ bucket: BUCKET_BOOTH, keyHash: k.booth, at: now }] : []),
    { bucket: BUCKET_ADDRESS, keyHash: k.address, at: now },
  ]);
}

/** The message for verification.server.ts's per-client refusal, which is now per device. */
export function deviceLimitMessage(services: Pick<Services, "config">): string {
  return ja.verification.limitedDevice(60, formatDisplay(services.config.centrePhoneNumber));
}
