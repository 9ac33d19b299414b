-- ADR 023: audit rows are inserted unchained (no lock on the request path); the chain sequencer
-- gives each its place, the previous hash and its own hash later. Rows written before this
-- migration were chained in id order under the append lock: their place is their id.
ALTER TABLE "audit_log" ALTER COLUMN "prev_hash" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "audit_log" ALTER COLUMN "hash" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "audit_log" ADD COLUMN "chain_seq" bigint;--> statement-breakpoint
ALTER TABLE "audit_log" DISABLE TRIGGER "audit_log_append_only";--> statement-breakpoint
UPDATE "audit_log" SET "chain_seq" = "id";--> statement-breakpoint
ALTER TABLE "audit_log" ENABLE TRIGGER "audit_log_append_only";--> statement-breakpoint
CREATE UNIQUE INDEX "idx_audit_log_chain_seq" ON "audit_log" USING btree ("chain_seq");--> statement-breakpoint
CREATE INDEX "idx_audit_log_unchained" ON "audit_log" USING btree ("id") WHERE "audit_log"."chain_seq" is null;--> statement-breakpoint
ALTER TABLE "audit_log" ADD CONSTRAINT "ck_audit_log_chained" CHECK (("audit_log"."chain_seq" is null) = ("audit_log"."hash" is null) and ("audit_log"."chain_seq" is null) = ("audit_log"."prev_hash" is null));--> statement-breakpoint
-- Still append-only: no DELETE, no change of content; the one UPDATE allowed is the sequencer's fill
-- of an unchained row's place and hashes (content unchanged).
CREATE OR REPLACE FUNCTION audit_log_guard_row() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND OLD.chain_seq IS NULL AND NEW.chain_seq IS NOT NULL
     AND (NEW.id, NEW.at, NEW.actor, NEW.action, NEW.subject_type, NEW.subject_id, NEW.ip_hash, NEW.detail)
         IS NOT DISTINCT FROM (OLD.id, OLD.at, OLD.actor, OLD.action, OLD.subject_type, OLD.subject_id, OLD.ip_hash, OLD.detail) THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'audit_log is append-only';
END;
$$ LANGUAGE plpgsql;--> statement-breakpoint
DROP TRIGGER "audit_log_append_only" ON "audit_log";--> statement-breakpoint
CREATE TRIGGER "audit_log_append_only"
  BEFORE UPDATE OR DELETE ON "audit_log"
  FOR EACH ROW EXECUTE FUNCTION audit_log_guard_row();
