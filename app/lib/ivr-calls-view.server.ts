/** Calls for operators to follow up: hung up part-way, or a spoken name to check against the recording. */
import { and, desc, eq, inArray, isNotNull, or } from "drizzle-orm";
import { applications, ivrCalls } from "../../db/schema";
import { formatDisplay } from "../domain/phone";
import type { IvrAnswers } from "./ivr.server";
import type { Services } from "./services.server";

export type CallForReview = {
  id: string;
  at: string;
  from: string | null;
  purpose: string | null;
  status: string;
  node: string;
  nameSpeech: string | null;
  nameRecordingUrl: string | null;
  addressSpeech: string | null;
  reference: string | null;
};

export async function callsForReview(services: Pick<Services, "db" | "pii">, limit = 100): Promise<CallForReview[]> {
  const rows = await services.db
    .select({ call: ivrCalls, reference: applications.reference })
    .from(ivrCalls)
    .leftJoin(applications, eq(applications.id, ivrCalls.applicationId))
    .where(
      or(
        eq(ivrCalls.status, "incomplete"),
        and(eq(ivrCalls.status, "completed"), inArray(ivrCalls.purpose, ["apply", "form"]), or(isNotNull(ivrCalls.applicationId), isNotNull(ivrCalls.outboxId))),
      ),
    )
    .orderBy(desc(ivrCalls.createdAt))
    .limit(limit);
  return rows.map(({ call, reference }) => {
    const answers = JSON.parse(services.pii.open(call.answersEnc)) as IvrAnswers;
    const from = services.pii.openNullable(call.fromEnc);
    return {
      id: call.id,
      at: call.createdAt.toISOString(),
      from: from ? formatDisplay(from) : null,
      purpose: call.purpose,
      status: call.status,
      node: call.node,
      nameSpeech: answers.nameSpeech ?? null,
      nameRecordingUrl: answers.nameRecordingUrl ?? null,
      addressSpeech: answers.addressSpeech ?? null,
      reference,
    };
  });
}
