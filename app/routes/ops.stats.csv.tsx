import type { LoaderFunctionArgs } from "@remix-run/node";
import { requireAccess } from "~/lib/auth.server";
import { periodFrom, statistics, statisticsCsv } from "~/lib/stats.server";

/** The ministry's export: CSV in UTF-8 with a BOM (Excel), counts only — no personal data. */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const operator = await requireAccess(request, context, "stats");
  const period = periodFrom(new URL(request.url).searchParams, context.services.now());
  if (!period.ok) return new Response(period.message, { status: 400, headers: { "Content-Type": "text/plain; charset=utf-8" } });
  const csv = statisticsCsv(await statistics(context.services, period.period));
  await context.services.audit.record({ actor: `operator:${operator.id}`, action: "stats.export", subjectType: "statistics", ip: context.clientIp, detail: { from: period.from, to: period.to } });
  return new Response(csv, {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="statistics-${period.from}-${period.to}.csv"`,
      "Cache-Control": "no-store",
    },
  });
}
