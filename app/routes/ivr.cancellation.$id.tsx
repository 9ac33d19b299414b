import type { ActionFunctionArgs } from "@remix-run/node";
import { cancellationCallTwiml } from "~/lib/cancellation-call.server";
import { requireUuid } from "~/lib/ids";
import { readTwilioForm, twimlResponse } from "~/lib/twilio-webhook.server";

/** Twilio fetches this when the subscriber answers a cancellation confirmation call. */
export async function action({ request, context, params }: ActionFunctionArgs) {
  await readTwilioForm(request, context);
  return twimlResponse(await cancellationCallTwiml(context.services, requireUuid(params.id)));
}
