/** The paper intake page: recent scans with their state, and the exceptions queue. */
import { desc, eq } from "drizzle-orm";
import { paperIntakes, scans } from "../../db/schema";
import type { ExceptionReason } from "./ocr/types";
import { EXCEPTION_MESSAGES } from "./ocr/exceptions";
import type { Services } from "./services.server";

export type ScanRow = {
  id: string;
  intakeId: string;
  filename: string | null;
  source: string;
  page: number;
  status: string;
  formType: string | null;
  exception: string | null;
  at: string;
};

export async function recentScans(services: Pick<Services, "db">, limit = 100): Promise<ScanRow[]> {
  const rows = await services.db
    .select({ scan: scans, filename: paperIntakes.originalFilename, source: paperIntakes.source })
    .from(scans)
    .innerJoin(paperIntakes, eq(paperIntakes.id, scans.intakeId))
    .orderBy(desc(scans.createdAt), scans.pageNumber)
    .limit(limit);
  return rows.map(({ scan, filename, source }) => ({
    id: scan.id,
    intakeId: scan.intakeId,
    filename,
    source,
    page: scan.pageNumber,
    status: scan.status,
    formType: scan.formType,
    exception: scan.exceptionReason ? (EXCEPTION_MESSAGES[scan.exceptionReason as ExceptionReason] ?? scan.exceptionReason) : null,
    at: scan.createdAt.toISOString(),
  }));
}
