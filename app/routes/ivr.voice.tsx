import type { ActionFunctionArgs } from "@remix-run/node";
import { handleIncomingCall } from "~/lib/ivr.server";
import { readTwilioForm, twimlResponse } from "~/lib/twilio-webhook.server";

/** Twilio's entry webhook for a call to the centre's number. */
export async function action({ request, context }: ActionFunctionArgs) {
  const params = await readTwilioForm(request, context);
  return twimlResponse(await handleIncomingCall(context.services, params));
}
