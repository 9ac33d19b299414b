import type { LoaderFunctionArgs } from "@remix-run/node";
import { requireOperator } from "~/lib/auth.server";
import { statsCsv, weeklyCancellationStats } from "~/lib/cancellation-stats.server";
import { CANCELLATION_STAFF_ROLES } from "~/lib/cancellations.server";

/** The weekly figures as CSV (counts only, no personal data); the export is audited. */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const operator = await requireOperator(request, context, CANCELLATION_STAFF_ROLES);
  const url = new URL(request.url);
  const weeks = Math.min(104, Math.max(1, Number(url.searchParams.get("weeks")) || 12));
  const rows = await weeklyCancellationStats(context.services, weeks);
  await context.services.audit.record({
    actor: `operator:${operator.id}`,
    action: "cancellation.stats_export",
    subjectType: "cancellation",
    ip: context.clientIp,
    detail: { weeks },
  });
  const today = context.services.now().toISOString().slice(0, 10);
  return new Response(statsCsv(rows), {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="cancellations-weekly-${today}.csv"`,
      "Cache-Control": "no-store",
    },
  });
}
