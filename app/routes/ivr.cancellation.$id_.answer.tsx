import type { ActionFunctionArgs } from "@remix-run/node";
import { cancellationAnswerTwiml } from "~/lib/cancellation-call.server";
import { requireUuid } from "~/lib/ids";
import { readTwilioForm, twimlResponse } from "~/lib/twilio-webhook.server";

/** The subscriber's key press (or speech) on the cancellation question: 1 agrees, 2 refuses. */
export async function action({ request, context, params }: ActionFunctionArgs) {
  const form = await readTwilioForm(request, context);
  return twimlResponse(await cancellationAnswerTwiml(context.services, requireUuid(params.id), form));
}
