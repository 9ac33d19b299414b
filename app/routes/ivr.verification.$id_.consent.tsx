import type { ActionFunctionArgs } from "@remix-run/node";
import { requireUuid } from "~/lib/ids";
import { readTwilioForm, twimlResponse } from "~/lib/twilio-webhook.server";
import { verificationConsentTwiml } from "~/lib/verification-call.server";

/** The subscriber's key press (or speech) on the consent question. */
export async function action({ request, context, params }: ActionFunctionArgs) {
  const form = await readTwilioForm(request, context);
  return twimlResponse(await verificationConsentTwiml(context.services, requireUuid(params.id), form));
}
