/** The paper intake page: recent scans with their state, why a page waits (or was closed), and a link to work it. */
import { desc, eq } from "drizzle-orm";
import { paperIntakes, scans } from "../../db/schema";
import { PAPER_QUEUE_STATUSES } from "./queue-info";
import { scanReason } from "./review-reasons";
import type { Services } from "./services.server";

export type ScanRow = {
  id: string;
  intakeId: string;
  filename: string | null;
  source: string;
  page: number;
  status: string;
  formType: string | null;
  /** Short reason (OCR exception, the line's answer, or why the page was closed). */
  exception: string | null;
  /** What the operator should do about it. */
  exceptionHelp: string | null;
  /** The page waits for an operator: it opens in the verification screen. */
  workable: boolean;
  at: string;
};

export async function recentScans(services: Pick<Services, "db">, limit = 100): Promise<ScanRow[]> {
  const rows = await services.db
    .select({ scan: scans, filename: paperIntakes.originalFilename, source: paperIntakes.source })
    .from(scans)
    .innerJoin(paperIntakes, eq(paperIntakes.id, scans.intakeId))
    .orderBy(desc(scans.createdAt), scans.pageNumber)
    .limit(limit);
  return rows.map(({ scan, filename, source }) => {
    const reason = scanReason(scan.exceptionReason);
    return {
      id: scan.id,
      intakeId: scan.intakeId,
      filename,
      source,
      page: scan.pageNumber,
      status: scan.status,
      formType: scan.formType,
      exception: reason?.label ?? null,
      exceptionHelp: reason?.help || null,
      workable: (PAPER_QUEUE_STATUSES as readonly string[]).includes(scan.status),
      at: scan.createdAt.toISOString(),
    };
  });
}
