import type { ActionFunctionArgs } from "@remix-run/node";
import { requireUuid } from "~/lib/ids";
import { readTwilioForm, twimlResponse } from "~/lib/twilio-webhook.server";
import { verificationCallTwiml } from "~/lib/verification-call.server";

/** Twilio fetches this when the subscriber answers a verification call-back that asks for consent. */
export async function action({ request, context, params }: ActionFunctionArgs) {
  await readTwilioForm(request, context);
  return twimlResponse(await verificationCallTwiml(context.services, requireUuid(params.id)));
}
