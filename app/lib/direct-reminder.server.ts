/**
 * What the centre did not send to the carrier (issue 15, point 4): scopes the person chose that the
 * line's carrier takes only directly (NTT東日本／西日本 発信休止). Recorded on the application's
 * "received" event (refusedScopes) when the route was direct, or on its "completed" event
 * (directOnly, owner) when an inquiry found the owner; read back for the done page, the receipt,
 * /status and the completion letter, so all four say the same thing.
 */
import { and, asc, eq, inArray } from "drizzle-orm";
import type { DbOrTx } from "../../db/client";
import { applicationEvents, applications } from "../../db/schema";
import { directReminder, directReminderSentences, type DirectReminder } from "../domain/carrier-contacts";
import { isCarrierCode, isScope, SCOPES, type CarrierCode, type Scope } from "../domain/carriers";

const scopesOf = (value: unknown): Scope[] => (Array.isArray(value) ? SCOPES.filter((s) => value.some((v) => v === s && isScope(v))) : []);

export async function directReminderFor(db: DbOrTx, applicationId: string): Promise<DirectReminder | null> {
  const [app] = await db.select({ carrierCode: applications.carrierCode, scopes: applications.scopes }).from(applications).where(eq(applications.id, applicationId));
  if (!app) return null;
  const events = await db
    .select({ type: applicationEvents.type, detail: applicationEvents.detail })
    .from(applicationEvents)
    .where(and(eq(applicationEvents.applicationId, applicationId), inArray(applicationEvents.type, ["received", "completed"])))
    .orderBy(asc(applicationEvents.at), asc(applicationEvents.id));
  const sent = scopesOf(app.scopes);
  let carrier: CarrierCode | null = isCarrierCode(app.carrierCode) ? app.carrierCode : null;
  const notSent = new Set<Scope>();
  for (const event of events) {
    const detail = (event.detail ?? {}) as Record<string, unknown>;
    if (event.type === "received") for (const s of scopesOf(detail.refusedScopes)) notSent.add(s);
    if (event.type === "completed" && Array.isArray(detail.directOnly) && isCarrierCode(detail.owner)) {
      carrier = detail.owner;
      for (const s of scopesOf(detail.directOnly)) notSent.add(s);
    }
  }
  if (!carrier || notSent.size === 0) return null;
  return directReminder(
    carrier,
    sent.filter((s) => !notSent.has(s)),
    SCOPES.filter((s) => notSent.has(s)),
  );
}

/** The reminder as a title and plain sentences, or null (the same words on every channel). */
export async function directReminderText(db: DbOrTx, applicationId: string): Promise<{ title: string; sentences: string[] } | null> {
  const reminder = await directReminderFor(db, applicationId);
  return reminder ? directReminderSentences(reminder) : null;
}
