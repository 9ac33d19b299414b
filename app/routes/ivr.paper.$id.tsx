import type { ActionFunctionArgs } from "@remix-run/node";
import { requireUuid } from "~/lib/ids";
import { paperCallTwiml } from "~/lib/paper-confirmation.server";
import { readTwilioForm, twimlResponse } from "~/lib/twilio-webhook.server";

/** Twilio fetches this when the subscriber answers the call that confirms a paper or FAX application. */
export async function action({ request, context, params }: ActionFunctionArgs) {
  await readTwilioForm(request, context);
  return twimlResponse(await paperCallTwiml(context.services, requireUuid(params.id)));
}
