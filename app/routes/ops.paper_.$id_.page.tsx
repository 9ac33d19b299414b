import type { LoaderFunctionArgs } from "@remix-run/node";
import { requireAccess } from "~/lib/auth.server";
import { requireUuid } from "~/lib/ids";
import { loadScanPage } from "~/lib/paper-verify.server";

/** The whole stored page (image, PDF or the file as uploaded) for the verification screen; never cached. */
export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const operator = await requireAccess(request, context, "paper", "view");
  const id = requireUuid(params.id);
  const page = await loadScanPage(context.services, id);
  if (!page) throw new Response("Not Found", { status: 404 });
  await context.services.audit.record({ actor: `operator:${operator.id}`, action: "scan.page_view", subjectType: "scan", subjectId: id, ip: context.clientIp });
  const inline = page.contentType.startsWith("image/png") || page.contentType.startsWith("image/jpeg") || page.contentType === "application/pdf";
  return new Response(new Uint8Array(page.bytes), {
    headers: {
      "Content-Type": page.contentType,
      "Content-Length": String(page.bytes.length),
      "Content-Disposition": `${inline ? "inline" : "attachment"}; filename="scan-${id}.${page.extension}"`,
      "Cache-Control": "no-store",
      "X-Content-Type-Options": "nosniff",
    },
  });
}
