import { sql } from "drizzle-orm";
import { check, index, pgTable, smallint, text, uniqueIndex } from "drizzle-orm/pg-core";
import { createdAt, id, updatedAt } from "./columns";
import { carriers } from "./carriers";

/**
 * One row per telephone line (E.164). A phone number is not personal data on its own here: it is the
 * key the whole service is about, and carriers receive it. Names and addresses live on applications.
 * Suspension state per scope: none → pending → active → resuming → none.
 */
export const lines = pgTable(
  "lines",
  {
    id: id(),
    e164: text("e164").notNull(),
    carrierCode: text("carrier_code").references(() => carriers.code),
    prefecture: smallint("prefecture"),
    outgoingSuspension: text("outgoing_suspension").notNull().default("none"),
    incomingSuspension: text("incoming_suspension").notNull().default("none"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("uq_lines_e164").on(t.e164),
    index("idx_lines_carrier").on(t.carrierCode),
    check("ck_lines_e164", sql`${t.e164} ~ '^\\+81[1-9][0-9]{8}$'`),
    check("ck_lines_outgoing", sql`${t.outgoingSuspension} in ('none','pending','active','resuming')`),
    check("ck_lines_incoming", sql`${t.incomingSuspension} in ('none','pending','active','resuming')`),
  ],
);
