import { desc, eq } from "drizzle-orm";
import { outbox } from "../../db/schema";
import { formatDisplay } from "../domain/phone";
import type { CallContent } from "./comms.server";
import type { Services } from "./services.server";

export type OutboxItem = {
  id: string;
  channel: string;
  purpose: string;
  to: string;
  text: string;
  status: string;
  provider: string | null;
  createdAt: string;
  sentAt: string | null;
  /** Calls: how the call ended (status callback), e.g. busy, no-answer, machine; null before any report. */
  callOutcome: string | null;
  /** Calls: an automatic retry waiting to ring (ISO), or null. */
  notBefore: string | null;
};

/** What a person reads aloud or receives, in plain text, for the back-office outbox page. */
function readableBody(channel: string, body: string, template: string | null): string {
  if (channel === "sms") return body;
  if (channel === "call") {
    const content = JSON.parse(body) as CallContent;
    return content.kind === "say" ? content.text : content.fallbackText;
  }
  return `（手紙：${template ?? "不明な様式"}）`;
}

function readableRecipient(value: string): string {
  return value.startsWith("+81") ? formatDisplay(value) : value;
}

/** The latest messages, opened for display. The caller records the view in the audit log. */
export async function latestOutbox(services: Pick<Services, "db" | "pii">, limit = 100): Promise<OutboxItem[]> {
  const rows = await services.db.select().from(outbox).orderBy(desc(outbox.createdAt)).limit(limit);
  return rows.map((row) => ({
    id: row.id,
    channel: row.channel,
    purpose: row.purpose,
    to: readableRecipient(services.pii.open(row.toEnc)),
    text: readableBody(row.channel, services.pii.open(row.bodyEnc), row.template),
    status: row.status,
    provider: row.provider,
    createdAt: row.createdAt.toISOString(),
    sentAt: row.sentAt?.toISOString() ?? null,
    callOutcome: row.callOutcome,
    notBefore: row.notBefore?.toISOString() ?? null,
  }));
}

/** One outbound call the outbox holds, opened (the demo's call simulator, /ops/outbox/:id/call); null if there is none. */
export async function outboxCall(services: Pick<Services, "db" | "pii">, id: string): Promise<{ id: string; to: string; content: CallContent } | null> {
  const [row] = await services.db.select().from(outbox).where(eq(outbox.id, id));
  if (!row || row.channel !== "call") return null;
  return { id: row.id, to: services.pii.open(row.toEnc), content: JSON.parse(services.pii.open(row.bodyEnc)) as CallContent };
}
