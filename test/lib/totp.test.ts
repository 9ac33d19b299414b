import { Secret, TOTP } from "otpauth";
import { checkTotp, groupedSecret, newTotpSecret, totpCode, totpQrDataUrl, totpStep, totpUri } from "../../app/lib/totp.server";

const at = new Date("2026-11-20T01:00:15Z");

describe("TOTP", () => {
  it("makes 160-bit base32 secrets and an otpauth URI an app reads", () => {
    const secret = newTotpSecret();
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(newTotpSecret()).not.toBe(secret);
    const uri = totpUri(secret, "yamada");
    expect(uri).toMatch(/^otpauth:\/\/totp\//);
    expect(uri).toContain(`secret=${secret}`);
    expect(uri).toContain("yamada");
    expect(uri).toContain("period=30");
    expect(groupedSecret("ABCDEFGHIJKL")).toBe("ABCD EFGH IJKL");
  });

  it("draws the QR code as a PNG data URL", async () => {
    const url = await totpQrDataUrl(totpUri(newTotpSecret(), "yamada"));
    expect(url).toMatch(/^data:image\/png;base64,/);
  });

  it("accepts the code of now and one step either side (RFC 6238, the same as an app)", () => {
    const secret = newTotpSecret();
    const app = new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30, algorithm: "SHA1" });
    expect(totpCode(secret, at)).toBe(app.generate({ timestamp: at.getTime() }));
    const step = totpStep(at);
    expect(checkTotp(secret, totpCode(secret, at), at, null)).toEqual({ ok: true, step });
    expect(checkTotp(secret, totpCode(secret, new Date(at.getTime() - 30_000)), at, null)).toEqual({ ok: true, step: step - 1 });
    expect(checkTotp(secret, totpCode(secret, new Date(at.getTime() + 30_000)), at, null)).toEqual({ ok: true, step: step + 1 });
    expect(checkTotp(secret, totpCode(secret, new Date(at.getTime() + 90_000)), at, null)).toMatchObject({ ok: false, reason: "wrong" });
  });

  it("takes full-width digits and spaces, and refuses anything that is not six digits", () => {
    const secret = newTotpSecret();
    const code = totpCode(secret, at);
    const fullWidth = code.replace(/\d/g, (d) => String.fromCharCode(d.charCodeAt(0) + 0xfee0));
    expect(checkTotp(secret, `${fullWidth.slice(0, 3)} ${fullWidth.slice(3)}`, at, null)).toMatchObject({ ok: true });
    expect(checkTotp(secret, "12345", at, null)).toEqual({ ok: false, reason: "format" });
    expect(checkTotp(secret, "abcdef", at, null)).toEqual({ ok: false, reason: "format" });
  });

  it("accepts a code once: the same step again is a replay", () => {
    const secret = newTotpSecret();
    const code = totpCode(secret, at);
    const first = checkTotp(secret, code, at, null);
    expect(first.ok).toBe(true);
    const step = first.ok ? first.step : 0;
    expect(checkTotp(secret, code, at, step)).toEqual({ ok: false, reason: "replayed" });
    // The next step's code is fine.
    const later = new Date(at.getTime() + 30_000);
    expect(checkTotp(secret, totpCode(secret, later), later, step)).toEqual({ ok: true, step: step + 1 });
  });
});
