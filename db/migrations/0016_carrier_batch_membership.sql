-- ADR 027: a cut writes which orders its batch holds into carrier_batch_orders (one narrow row per
-- order, a page at a time) instead of updating every order row and its indexes. An order in a batch
-- keeps status 'pending' until the batch is acknowledged; everything that shows or counts it reads
-- 'batched' from the membership. Orders cut before this migration keep their 'batched' status.
CREATE TABLE "carrier_batch_orders" (
	"batch_id" uuid NOT NULL,
	"position" integer NOT NULL,
	"order_id" uuid NOT NULL,
	CONSTRAINT "pk_carrier_batch_orders" PRIMARY KEY("batch_id","position")
);
--> statement-breakpoint
-- The order guard's WHEN condition names the two columns that go: drop it first, recreate it below.
DROP TRIGGER IF EXISTS carrier_orders_guard_update ON carrier_orders;--> statement-breakpoint
INSERT INTO "carrier_batch_orders" ("batch_id", "position", "order_id")
  SELECT "batch_id", "batch_position", "id" FROM "carrier_orders" WHERE "batch_id" IS NOT NULL;
--> statement-breakpoint
ALTER TABLE "carrier_orders" DROP CONSTRAINT "carrier_orders_batch_id_carrier_batches_id_fk";
--> statement-breakpoint
DROP INDEX "idx_carrier_orders_batch";--> statement-breakpoint
CREATE UNIQUE INDEX "uq_carrier_batch_orders_order" ON "carrier_batch_orders" USING btree ("order_id");--> statement-breakpoint
ALTER TABLE "carrier_orders" DROP COLUMN "batch_id";--> statement-breakpoint
ALTER TABLE "carrier_orders" DROP COLUMN "batch_position";
--> statement-breakpoint
CREATE OR REPLACE FUNCTION carrier_orders_guard() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    RAISE EXCEPTION 'carrier_orders: orders are cancelled, never deleted';
  END IF;
  RAISE EXCEPTION 'carrier_orders: the record of an order is immutable';
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER carrier_orders_guard_update
  BEFORE UPDATE ON carrier_orders
  FOR EACH ROW
  WHEN (
       NEW.idempotency_key IS DISTINCT FROM OLD.idempotency_key
    OR NEW.carrier_code IS DISTINCT FROM OLD.carrier_code
    OR NEW.line_id IS DISTINCT FROM OLD.line_id
    OR NEW.action IS DISTINCT FROM OLD.action
    OR NEW.scope IS DISTINCT FROM OLD.scope
    OR NEW.e164 IS DISTINCT FROM OLD.e164
    OR NEW.subject_enc IS DISTINCT FROM OLD.subject_enc
    OR NEW.request_ref IS DISTINCT FROM OLD.request_ref
    OR NEW.prefecture IS DISTINCT FROM OLD.prefecture
  )
  EXECUTE FUNCTION carrier_orders_guard();
--> statement-breakpoint
-- An order belongs to one batch for good: membership rows are never changed or removed (a cut that
-- fails rolls its rows back with it). One check per statement, not per row.
CREATE OR REPLACE FUNCTION carrier_batch_orders_refuse_change() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'carrier_batch_orders: an order belongs to one batch for good';
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER carrier_batch_orders_append_only
  BEFORE UPDATE OR DELETE ON carrier_batch_orders
  FOR EACH STATEMENT EXECUTE FUNCTION carrier_batch_orders_refuse_change();
