import type { ActionFunctionArgs } from "@remix-run/node";
import { handleOutboundCallStatus } from "~/lib/comms-call-status.server";
import { requireUuid } from "~/lib/ids";
import { handleCallStatus } from "~/lib/ivr.server";
import { readTwilioForm } from "~/lib/twilio-webhook.server";

/**
 * Twilio's status callback. With `?outbox=<id>`: an outbound call of ours reports its progress and
 * outcome (busy, no-answer, machine … are retried or told: comms-call-status.server.ts). Without it:
 * the number's own callback for an incoming call, which marks calls that ended part-way as incomplete.
 */
export async function action({ request, context }: ActionFunctionArgs) {
  const params = await readTwilioForm(request, context);
  const outboxId = new URL(request.url).searchParams.get("outbox");
  if (outboxId !== null) {
    await handleOutboundCallStatus(context.services, requireUuid(outboxId).toLowerCase(), params);
  } else {
    await handleCallStatus(context.services, params);
  }
  return new Response(null, { status: 204 });
}
