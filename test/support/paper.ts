/** Paper pages in tests: the automated call that asks the line to confirm a read page (issue 11). */
import { and, desc, eq } from "drizzle-orm";
import { outbox, scans, verifications } from "../../db/schema";
import { lineCallState, sweepPaperConfirmations } from "../../app/lib/paper-confirmation.server";
import type { Services } from "../../app/lib/services.server";
import { ivrAuthToken, signTwilioRequest } from "../../app/lib/twilio-webhook.server";
import type { TestServer } from "./http";

/** Posts to an IVR webhook signed as Twilio signs it (over the public URL). */
export async function postAsTwilio(server: TestServer, services: Services, url: string, params: Record<string, string>) {
  const pathname = url.replace(services.config.publicBaseUrl, "");
  const response = await fetch(`${server.url}${pathname}`, {
    method: "POST",
    headers: {
      "Content-Type": "application/x-www-form-urlencoded",
      "X-Twilio-Signature": signTwilioRequest(ivrAuthToken(services.config), `${services.config.publicBaseUrl}${pathname}`, params),
    },
    body: new URLSearchParams(params),
  });
  return { status: response.status, text: await response.text() };
}

/**
 * When the page went on to the line's confirmation, the subscriber answers the newest call with
 * `digit` ("1" confirms, "2" refuses). Returns false when no call was placed for the page.
 */
export async function answerPaperCall(server: TestServer, services: Services, scanId: string, digit: "1" | "2"): Promise<boolean> {
  const [scan] = await services.db.select({ status: scans.status }).from(scans).where(eq(scans.id, scanId));
  if (scan?.status !== "confirming") return false;
  // Read outside calling hours (the e2e runs on the wall clock), the first call waits for 9:00 JST:
  // the sweep places it as it would then.
  const { calls, nextAt } = await lineCallState(services, scanId);
  if (calls === 0 && nextAt) await sweepPaperConfirmations({ ...services, now: () => nextAt });
  const [row] = await services.db
    .select({ bodyEnc: outbox.bodyEnc })
    .from(outbox)
    .innerJoin(verifications, eq(verifications.id, outbox.verificationId))
    .where(and(eq(verifications.scanId, scanId), eq(outbox.channel, "call")))
    .orderBy(desc(outbox.createdAt))
    .limit(1);
  if (!row) return false;
  const { url } = JSON.parse(services.pii.open(row.bodyEnc)) as { url: string };
  await postAsTwilio(server, services, url, { CallSid: `CA-test-${scanId}` });
  await postAsTwilio(server, services, `${url}/answer`, { CallSid: `CA-test-${scanId}`, Digits: digit });
  return true;
}
