CREATE TABLE "application_completions" (
	"application_id" uuid PRIMARY KEY NOT NULL,
	"channel" text NOT NULL,
	"received_at" timestamp with time zone NOT NULL,
	"completed_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
DROP INDEX "idx_audit_log_actor";--> statement-breakpoint
CREATE INDEX "idx_application_completions_completed" ON "application_completions" USING btree ("completed_at","channel","received_at");--> statement-breakpoint
CREATE INDEX "idx_carrier_orders_status" ON "carrier_orders" USING btree ("status","created_at","carrier_code","id");--> statement-breakpoint
CREATE INDEX "idx_applications_created" ON "applications" USING btree ("created_at","channel","carrier_code","prefecture");--> statement-breakpoint
CREATE INDEX "idx_applications_id_created" ON "applications" USING btree ("id","created_at");--> statement-breakpoint
CREATE INDEX "idx_applications_replaces_line" ON "applications" USING btree ("replaces_line_id") WHERE "applications"."replaces_line_id" is not null;--> statement-breakpoint
CREATE INDEX "idx_verifications_application" ON "verifications" USING btree ("application_id");--> statement-breakpoint
CREATE INDEX "idx_cancellations_created" ON "cancellations" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "idx_scans_created" ON "scans" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "idx_outbox_application" ON "outbox" USING btree ("application_id");--> statement-breakpoint
CREATE INDEX "idx_outbox_cancellation" ON "outbox" USING btree ("cancellation_id") WHERE "outbox"."cancellation_id" is not null;--> statement-breakpoint
CREATE INDEX "idx_outbox_verification" ON "outbox" USING btree ("verification_id") WHERE "outbox"."verification_id" is not null;--> statement-breakpoint
CREATE INDEX "idx_audit_log_action" ON "audit_log" USING btree ("action","id");--> statement-breakpoint
CREATE INDEX "idx_audit_log_at" ON "audit_log" USING btree ("at");--> statement-breakpoint
CREATE INDEX "idx_ivr_calls_application" ON "ivr_calls" USING btree ("application_id");--> statement-breakpoint
CREATE INDEX "idx_ivr_calls_cancellation" ON "ivr_calls" USING btree ("cancellation_id");--> statement-breakpoint
CREATE INDEX "idx_ivr_calls_outbox" ON "ivr_calls" USING btree ("outbox_id");--> statement-breakpoint
CREATE INDEX "idx_ivr_calls_created" ON "ivr_calls" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "idx_ivr_calls_purpose" ON "ivr_calls" USING btree ("purpose","status","created_at");--> statement-breakpoint
CREATE INDEX "idx_audit_log_actor" ON "audit_log" USING btree ("actor","id");--> statement-breakpoint
-- ADR 030: application_completions holds each application's first completion, written by the database
-- in the transaction of the 'completed' event (whatever code writes it), so the statistics read one
-- index over a period instead of grouping every completion event. An earlier completion arriving later
-- (never expected) still wins: the row keeps the earliest.
CREATE OR REPLACE FUNCTION application_completions_record() RETURNS trigger AS $$
BEGIN
  INSERT INTO application_completions (application_id, channel, received_at, completed_at)
  SELECT a.id, a.channel, a.created_at, NEW.at FROM applications a WHERE a.id = NEW.application_id
  ON CONFLICT (application_id) DO UPDATE SET completed_at = EXCLUDED.completed_at
    WHERE application_completions.completed_at > EXCLUDED.completed_at;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;--> statement-breakpoint
CREATE TRIGGER application_events_completion
  AFTER INSERT ON application_events
  FOR EACH ROW WHEN (NEW.to_status = 'completed')
  EXECUTE FUNCTION application_completions_record();--> statement-breakpoint
-- The completions recorded before this migration, from the events (the record they summarise).
INSERT INTO application_completions (application_id, channel, received_at, completed_at)
SELECT a.id, a.channel, a.created_at, c.completed_at
  FROM (SELECT application_id, min(at) AS completed_at FROM application_events WHERE to_status = 'completed' GROUP BY application_id) c
  JOIN applications a ON a.id = c.application_id;
