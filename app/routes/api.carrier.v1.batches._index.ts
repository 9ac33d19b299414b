/** GET /api/carrier/v1/batches?status=ready|all — the calling carrier's batches (only its own). */
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { apiJson, batchJson, methodNotAllowed, requireApiCaller } from "~/lib/carrier-api.server";
import { listBatches } from "~/lib/carrier-batches.server";

export async function loader({ request, context }: LoaderFunctionArgs) {
  const caller = await requireApiCaller(request, context);
  const status = new URL(request.url).searchParams.get("status") === "all" ? "all" : "ready";
  const batches = await listBatches(context.services, caller.carrierCode, { only: status, limit: 500 });
  return apiJson({ carrier: caller.carrierCode, status, batches: batches.map(batchJson) });
}

export async function action(_: ActionFunctionArgs) {
  return methodNotAllowed("GET");
}
