import type { ActionFunctionArgs } from "@remix-run/node";
import { handleStep, IVR_NODES, type IvrNode } from "~/lib/ivr.server";
import { readTwilioForm, twimlResponse } from "~/lib/twilio-webhook.server";

/** The caller's answer to one menu node (`?node=…`), or silence (`&silence=1`). */
export async function action({ request, context }: ActionFunctionArgs) {
  const params = await readTwilioForm(request, context);
  const url = new URL(request.url);
  const node = url.searchParams.get("node") as IvrNode | null;
  if (!node || !IVR_NODES.includes(node)) throw new Response("Not Found", { status: 404 });
  return twimlResponse(await handleStep(context.services, node, params, { silence: url.searchParams.get("silence") === "1" }));
}
