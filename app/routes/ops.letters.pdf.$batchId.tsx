import type { LoaderFunctionArgs } from "@remix-run/node";
import { requireAccess } from "~/lib/auth.server";
import { requireUuid } from "~/lib/ids";
import { renderLetterBatch } from "~/lib/letters.server";

/** The batch's PDF, rendered again from the sealed letters (never stored). Every download is audited. */
export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const operator = await requireAccess(request, context, "letters");
  const batchId = requireUuid(params.batchId);
  const rendered = await renderLetterBatch(context.services, batchId);
  if (!rendered) throw new Response("Not Found", { status: 404 });
  await context.services.audit.record({
    actor: `operator:${operator.id}`,
    action: "letter.batch_pdf",
    subjectType: "letter_batch",
    subjectId: batchId,
    ip: context.clientIp,
    detail: { sequence: rendered.sequence, matchesPrinted: rendered.matches },
  });
  return new Response(new Uint8Array(rendered.pdf), {
    headers: {
      "Content-Type": "application/pdf",
      "Content-Disposition": `inline; filename="letters-${rendered.sequence}.pdf"`,
      "Cache-Control": "no-store",
    },
  });
}
