import type { LoaderFunctionArgs } from "@remix-run/node";

/** Liveness and readiness: the database answers, and the job queue's tables are reachable. */
export async function loader({ context }: LoaderFunctionArgs) {
  const { database, queue } = context.services;
  const checks: Record<string, "ok" | "failed"> = { database: "failed", queue: "failed" };
  try {
    await database.sql("select 1");
    checks.database = "ok";
  } catch {
    /* reported below */
  }
  try {
    await queue.boss.getQueues();
    checks.queue = "ok";
  } catch {
    /* reported below */
  }
  const ok = Object.values(checks).every((v) => v === "ok");
  return new Response(JSON.stringify({ status: ok ? "ok" : "failed", checks }), {
    status: ok ? 200 : 503,
    headers: { "Content-Type": "application/json", "Cache-Control": "no-store" },
  });
}
