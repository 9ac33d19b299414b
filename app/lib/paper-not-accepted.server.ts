/**
 * The letter to the sender of a paper or FAX page that ends without becoming an application or a
 * cancellation (「申し込みにできない」, issue 11 point 5): why, and how to apply. One letter per page
 * (idempotency key), queued in the caller's transaction.
 */
import type { DbOrTx } from "../../db/client";
import { formatDisplay } from "../domain/phone";
import { CLOSE_REASON_INFO, notAcceptedLetterText, type CloseReason } from "./review-reasons";
import type { Services } from "./services.server";

/** The letter template of a page that could not be accepted (no layout of its own: the generic letter prints it). */
export const PAPER_NOT_ACCEPTED_TEMPLATE = "paper-not-accepted";

export type LetterAddress = { name: string | null; postalCode: string; address: string };

/** Queues the letter for `reason` (none for a reason without one); returns its outbox id or null. */
export async function queueNotAcceptedLetter(
  services: Services,
  tx: DbOrTx,
  scanId: string,
  reason: CloseReason,
  to: LetterAddress,
  note: string | null,
): Promise<string | null> {
  const info = CLOSE_REASON_INFO[reason];
  if (!info.letter) return null;
  const text = notAcceptedLetterText("paper", info.letter, note, {
    centrePhone: formatDisplay(services.config.centrePhoneNumber),
    webUrl: `${services.config.publicBaseUrl}/apply`,
  });
  const name = to.name || "お申し込みの方";
  return services.comms.queueLetter(
    {
      idempotencyKey: `scan-closed-letter:${scanId}`,
      purpose: "paper_not_accepted",
      to: [`〒${to.postalCode}`, to.address, `${name} 様`].join(" "),
      template: PAPER_NOT_ACCEPTED_TEMPLATE,
      data: { name, postalCode: to.postalCode, address: to.address, text, scanId, reason },
    },
    tx,
  );
}
