-- The order guard (0006) only needs to run when an update touches what is immutable: with a WHEN
-- condition PostgreSQL evaluates that test itself and calls the function only to refuse the change,
-- so cutting a batch of a million orders does not call a PL/pgSQL function a million times.
DROP TRIGGER IF EXISTS carrier_orders_guard ON carrier_orders;
--> statement-breakpoint
CREATE TRIGGER carrier_orders_guard_update
  BEFORE UPDATE ON carrier_orders
  FOR EACH ROW
  WHEN (
       (OLD.batch_id IS NOT NULL AND (NEW.batch_id IS DISTINCT FROM OLD.batch_id OR NEW.batch_position IS DISTINCT FROM OLD.batch_position))
    OR NEW.idempotency_key IS DISTINCT FROM OLD.idempotency_key
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
CREATE TRIGGER carrier_orders_guard_delete
  BEFORE DELETE ON carrier_orders
  FOR EACH ROW EXECUTE FUNCTION carrier_orders_guard();
