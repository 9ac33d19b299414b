/**
 * The second factor of the back-office login: TOTP (RFC 6238, the codes of Google Authenticator,
 * Microsoft Authenticator, IIJ SmartKey …): SHA-1, 6 digits, 30-second steps, one step of clock
 * drift either way. A code is accepted once: the step it belongs to is remembered and a code of that
 * step or an earlier one is refused (no replay of a code someone saw over a shoulder).
 *
 * The secret is kept sealed (operators.totp_secret_enc). Enrolment shows it as a QR code made on the
 * server (a PNG data URL, so no script and nothing from outside), and as text for typing by hand.
 */
import { typedDigitsOrNull } from "../domain/typed-text";
import { timingSafeEqual } from "node:crypto";
import QRCode from "qrcode";
import { Secret, TOTP } from "otpauth";

export const TOTP_ISSUER = "国際電話不取扱受付センター";
export const TOTP_PERIOD_SECONDS = 30;
export const TOTP_DIGITS = 6;
/** Steps of drift accepted either side of now. */
export const TOTP_WINDOW = 1;

/** A new random secret (160 bits), base32 as authenticator apps take it. */
export function newTotpSecret(): string {
  return new Secret({ size: 20 }).base32;
}

function totpFor(secretBase32: string, label = "operator"): TOTP {
  return new TOTP({
    issuer: TOTP_ISSUER,
    label,
    algorithm: "SHA1",
    digits: TOTP_DIGITS,
    period: TOTP_PERIOD_SECONDS,
    secret: Secret.fromBase32(secretBase32),
  });
}

/** The otpauth:// URI an authenticator app reads from the QR code. */
export function totpUri(secretBase32: string, username: string): string {
  return totpFor(secretBase32, username).toString();
}

/** The QR code of the URI as a PNG data URL (img-src 'self' data: in the CSP). */
export async function totpQrDataUrl(uri: string): Promise<string> {
  return QRCode.toDataURL(uri, { errorCorrectionLevel: "M", margin: 2, scale: 6 });
}

/** The secret in groups of four, easier to type into an app by hand. */
export function groupedSecret(secretBase32: string): string {
  return secretBase32.replace(/(.{4})(?=.)/g, "$1 ");
}

export function totpStep(at: Date): number {
  return Math.floor(at.getTime() / 1000 / TOTP_PERIOD_SECONDS);
}

/** The code for a moment (tests, and the e2e test that plays the authenticator app). */
export function totpCode(secretBase32: string, at: Date): string {
  return totpFor(secretBase32).generate({ timestamp: at.getTime() });
}

export type TotpCheck = { ok: true; step: number } | { ok: false; reason: "format" | "wrong" | "replayed" };

/**
 * Checks a typed code against the secret at `now`, accepting one step of drift, and only for steps
 * after `lastStep` (the last accepted code's step).
 */
export function checkTotp(secretBase32: string, typed: string, now: Date, lastStep: number | null): TotpCheck {
  // The one rule for typed digits (issue 17): ０-９, spaces and dashes of every kind; nothing else.
  const code = typedDigitsOrNull(typed) ?? "";
  if (!new RegExp(`^\\d{${TOTP_DIGITS}}$`).test(code)) return { ok: false, reason: "format" };
  const current = totpStep(now);
  let replayed = false;
  for (let delta = -TOTP_WINDOW; delta <= TOTP_WINDOW; delta++) {
    const step = current + delta;
    const expected = totpCode(secretBase32, new Date(step * TOTP_PERIOD_SECONDS * 1000));
    if (timingSafeEqual(Buffer.from(expected), Buffer.from(code))) {
      if (lastStep !== null && step <= lastStep) {
        replayed = true;
        continue;
      }
      return { ok: true, step };
    }
  }
  return { ok: false, reason: replayed ? "replayed" : "wrong" };
}
