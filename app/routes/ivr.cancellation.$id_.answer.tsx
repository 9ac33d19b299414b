import type { ActionFunctionArgs } from "@remix-run/node";
import { cancellationAnswerTwiml } from "~/lib/cancellation-call.server";
import { requireUuid } from "~/lib/ids";
import { readTwilioForm, twimlResponse } from "~/lib/twilio-webhook.server";
import { machineAnswerTwiml } from "~/lib/yes-no-call-twiml";

/** The subscriber's key press (or speech) on the cancellation question: 1 agrees, 2 refuses. */
export async function action({ request, context, params }: ActionFunctionArgs) {
  const form = await readTwilioForm(request, context);
  const id = requireUuid(params.id);
  // A machine (AnsweredBy=machine_*/fax) hears who called and the call ends: it never confirms.
  const machine = await machineAnswerTwiml(context.services, id, form);
  if (machine) return twimlResponse(machine);
  return twimlResponse(await cancellationAnswerTwiml(context.services, id, form));
}
