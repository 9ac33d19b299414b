CREATE TABLE "audit_anchors" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"head_id" bigint NOT NULL,
	"head_hash" text NOT NULL,
	"row_count" bigint NOT NULL,
	"signature" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "rate_limit_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"bucket" text NOT NULL,
	"key_hash" text NOT NULL,
	"at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "applications" ADD COLUMN "relation_detail_enc" text;--> statement-breakpoint
ALTER TABLE "cancellations" ADD COLUMN "requester_relation_detail_enc" text;--> statement-breakpoint
ALTER TABLE "cancellations" ADD COLUMN "decision_note_enc" text;--> statement-breakpoint
ALTER TABLE "carrier_exceptions" ADD COLUMN "resolution_note_enc" text;--> statement-breakpoint
ALTER TABLE "carrier_users" ADD COLUMN "totp_secret_enc" text;--> statement-breakpoint
ALTER TABLE "carrier_users" ADD COLUMN "totp_enrolled_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "carrier_users" ADD COLUMN "totp_last_step" bigint;--> statement-breakpoint
CREATE INDEX "idx_rate_limit_events_bucket_key_at" ON "rate_limit_events" USING btree ("bucket","key_hash","at");--> statement-breakpoint
CREATE INDEX "idx_rate_limit_events_at" ON "rate_limit_events" USING btree ("at");--> statement-breakpoint
ALTER TABLE "applications" ADD CONSTRAINT "ck_applications_relation_detail_sealed" CHECK ("applications"."relation_detail" is null) NOT VALID;--> statement-breakpoint
ALTER TABLE "cancellations" ADD CONSTRAINT "ck_cancellations_relation_detail_sealed" CHECK ("cancellations"."requester_relation_detail" is null) NOT VALID;--> statement-breakpoint
ALTER TABLE "cancellations" ADD CONSTRAINT "ck_cancellations_decision_note_sealed" CHECK ("cancellations"."decision_note" is null) NOT VALID;--> statement-breakpoint
ALTER TABLE "carrier_exceptions" ADD CONSTRAINT "ck_carrier_exceptions_resolution_note_sealed" CHECK ("carrier_exceptions"."resolution_note" is null) NOT VALID;--> statement-breakpoint
-- The plain free-text columns above are legacy: existing values are sealed into the *_enc columns by
-- the data step that runs right after the migrations (sealLegacyPlainText, app/lib/pii-migration.server.ts);
-- the checks are NOT VALID so that they refuse new plain values at once while the old ones are moved.
-- The audit log refuses TRUNCATE as it already refuses UPDATE and DELETE (issue 12).
CREATE TRIGGER audit_log_no_truncate
  BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change();
--> statement-breakpoint
CREATE OR REPLACE FUNCTION audit_anchors_refuse_change() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'audit_anchors is append-only';
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER audit_anchors_append_only
  BEFORE UPDATE OR DELETE ON audit_anchors
  FOR EACH ROW EXECUTE FUNCTION audit_anchors_refuse_change();
--> statement-breakpoint
CREATE TRIGGER audit_anchors_no_truncate
  BEFORE TRUNCATE ON audit_anchors
  FOR EACH STATEMENT EXECUTE FUNCTION audit_anchors_refuse_change();
