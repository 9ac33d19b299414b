import type { ActionFunctionArgs } from "@remix-run/node";
import { handleCallStatus } from "~/lib/ivr.server";
import { readTwilioForm } from "~/lib/twilio-webhook.server";

/** Twilio's status callback: marks calls that ended part-way as incomplete. */
export async function action({ request, context }: ActionFunctionArgs) {
  const params = await readTwilioForm(request, context);
  await handleCallStatus(context.services, params);
  return new Response(null, { status: 204 });
}
