import type { ActionFunctionArgs } from "@remix-run/node";
import { requireUuid } from "~/lib/ids";
import { readTwilioForm, twimlResponse } from "~/lib/twilio-webhook.server";
import { machineAnswerTwiml } from "~/lib/yes-no-call-twiml";
import { verificationCallTwiml } from "~/lib/verification-call.server";

/** Twilio fetches this when the subscriber answers a verification call-back that asks for consent. */
export async function action({ request, context, params }: ActionFunctionArgs) {
  const form = await readTwilioForm(request, context);
  const id = requireUuid(params.id);
  // A machine (AnsweredBy=machine_*/fax) hears who called and the call ends: it never confirms.
  const machine = await machineAnswerTwiml(context.services, id, form);
  if (machine) return twimlResponse(machine);
  return twimlResponse(await verificationCallTwiml(context.services, id));
}
