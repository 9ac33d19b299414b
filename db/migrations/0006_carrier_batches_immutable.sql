-- A batch is immutable once cut: its records, sequence, files, hashes and signature never change, and
-- an order belongs to at most one batch, for good. Only the delivery timestamps and status move on.
-- A batch is written in one transaction while its status is 'cutting'; a crash rolls all of it back.
CREATE OR REPLACE FUNCTION carrier_batches_guard() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    IF OLD.status = 'cutting' THEN
      RETURN OLD;
    END IF;
    RAISE EXCEPTION 'carrier_batches: a cut batch cannot be deleted';
  END IF;
  IF OLD.status <> 'cutting' AND (
       NEW.status = 'cutting'
    OR NEW.carrier_code IS DISTINCT FROM OLD.carrier_code
    OR NEW.sequence IS DISTINCT FROM OLD.sequence
    OR NEW.record_count IS DISTINCT FROM OLD.record_count
    OR NEW.file_format IS DISTINCT FROM OLD.file_format
    OR NEW.file_sha256 IS DISTINCT FROM OLD.file_sha256
    OR NEW.signature IS DISTINCT FROM OLD.signature
    OR NEW.manifest IS DISTINCT FROM OLD.manifest
    OR NEW.key_id IS DISTINCT FROM OLD.key_id
    OR NEW.csv_encoding IS DISTINCT FROM OLD.csv_encoding
    OR NEW.csv_sha256 IS DISTINCT FROM OLD.csv_sha256
    OR NEW.csv_bytes IS DISTINCT FROM OLD.csv_bytes
    OR NEW.json_sha256 IS DISTINCT FROM OLD.json_sha256
    OR NEW.json_bytes IS DISTINCT FROM OLD.json_bytes
    OR NEW.prev_sha256 IS DISTINCT FROM OLD.prev_sha256
    OR NEW.cut_at IS DISTINCT FROM OLD.cut_at
  ) THEN
    RAISE EXCEPTION 'carrier_batches: a cut batch is immutable';
  END IF;
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER carrier_batches_immutable
  BEFORE UPDATE OR DELETE ON carrier_batches
  FOR EACH ROW EXECUTE FUNCTION carrier_batches_guard();
--> statement-breakpoint
CREATE OR REPLACE FUNCTION carrier_batch_files_refuse_change() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'carrier_batch_files is append-only';
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER carrier_batch_files_append_only
  BEFORE UPDATE OR DELETE ON carrier_batch_files
  FOR EACH ROW EXECUTE FUNCTION carrier_batch_files_refuse_change();
--> statement-breakpoint
CREATE OR REPLACE FUNCTION carrier_orders_guard() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    RAISE EXCEPTION 'carrier_orders: orders are cancelled, never deleted';
  END IF;
  IF OLD.batch_id IS NOT NULL AND (
       NEW.batch_id IS DISTINCT FROM OLD.batch_id
    OR NEW.batch_position IS DISTINCT FROM OLD.batch_position
  ) THEN
    RAISE EXCEPTION 'carrier_orders: an order belongs to one batch for good';
  END IF;
  IF NEW.idempotency_key IS DISTINCT FROM OLD.idempotency_key
    OR NEW.carrier_code IS DISTINCT FROM OLD.carrier_code
    OR NEW.line_id IS DISTINCT FROM OLD.line_id
    OR NEW.action IS DISTINCT FROM OLD.action
    OR NEW.scope IS DISTINCT FROM OLD.scope
    OR NEW.e164 IS DISTINCT FROM OLD.e164
    OR NEW.subject_enc IS DISTINCT FROM OLD.subject_enc
    OR NEW.request_ref IS DISTINCT FROM OLD.request_ref
    OR NEW.prefecture IS DISTINCT FROM OLD.prefecture
  THEN
    RAISE EXCEPTION 'carrier_orders: the record of an order is immutable';
  END IF;
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER carrier_orders_guard
  BEFORE UPDATE OR DELETE ON carrier_orders
  FOR EACH ROW EXECUTE FUNCTION carrier_orders_guard();
