ALTER TABLE "outbox" ADD COLUMN "not_before" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "outbox" ADD COLUMN "call_status" text;--> statement-breakpoint
ALTER TABLE "outbox" ADD COLUMN "call_outcome" text;--> statement-breakpoint
ALTER TABLE "outbox" ADD COLUMN "answered_by" text;--> statement-breakpoint
ALTER TABLE "outbox" ADD CONSTRAINT "ck_outbox_call_outcome" CHECK ("outbox"."call_outcome" is null or "outbox"."call_outcome" in ('answered','completed','busy','no-answer','failed','canceled','machine'));
