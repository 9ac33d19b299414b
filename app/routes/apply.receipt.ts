import type { LoaderFunctionArgs } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { renderReceipt } from "../../templates/receipt";
import { SCOPE_LABELS } from "~/domain/carriers";
import { formatDisplay } from "~/domain/phone";
import { speakableGroups } from "~/domain/reference-number";
import { requireDraft } from "~/lib/apply-draft.server";
import { receiptFor } from "~/lib/apply-submit.server";
import { formatJstDateTime } from "~/lib/format";
import { centreContact } from "~/lib/centre-contact";
import { directReminderText } from "~/lib/direct-reminder.server";
import { formatPostalCode } from "~/domain/typed-text";

/** The receipt PDF, only for the browser that submitted the application. */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const draft = await requireDraft(request, context);
  if (!draft.applicationId) throw redirect("/apply/check");
  const receipt = await receiptFor(context, draft.applicationId);
  if (!receipt) throw redirect("/apply");
  const { config } = context.services;
  const pdf = await renderReceipt({
    reference: receipt.reference,
    referenceGroups: speakableGroups(receipt.reference),
    receivedAt: formatJstDateTime(receipt.createdAt),
    number: receipt.number,
    scopes: receipt.scopes.map((s) => SCOPE_LABELS[s]),
    statusLabel: receipt.statusLabel,
    statusDescription: receipt.statusDescription,
    subscriberName: receipt.subscriberName,
    address: receipt.postalCode && receipt.address ? `〒${formatPostalCode(receipt.postalCode)} ${receipt.address}` : receipt.address,
    assisted: receipt.assisted,
    centrePhone: formatDisplay(config.centrePhoneNumber),
    statusUrl: `${config.publicBaseUrl}/status`,
    centre: centreContact(config),
    reminder: await directReminderText(context.services.db, draft.applicationId),
  });
  return new Response(new Uint8Array(pdf), {
    headers: {
      "Content-Type": "application/pdf",
      "Content-Disposition": `inline; filename="receipt-${receipt.reference}.pdf"`,
      "Cache-Control": "private, no-store",
    },
  });
}
