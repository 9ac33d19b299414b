import type { ActionFunctionArgs } from "@remix-run/node";
import { requireUuid } from "~/lib/ids";
import { paperAnswerTwiml } from "~/lib/paper-confirmation.server";
import { readTwilioForm, twimlResponse } from "~/lib/twilio-webhook.server";

/** The subscriber's key press (or speech) on the paper application's question: 1 confirms, 2 refuses. */
export async function action({ request, context, params }: ActionFunctionArgs) {
  const form = await readTwilioForm(request, context);
  return twimlResponse(await paperAnswerTwiml(context.services, requireUuid(params.id), form));
}
