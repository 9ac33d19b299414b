CREATE TABLE "carrier_api_keys" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"carrier_code" text NOT NULL,
	"label" text NOT NULL,
	"key_prefix" text NOT NULL,
	"key_hash" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_by" uuid,
	"last_used_at" timestamp with time zone,
	"revoked_at" timestamp with time zone,
	"revoked_by" uuid
);
--> statement-breakpoint
CREATE TABLE "carrier_batch_files" (
	"batch_id" uuid NOT NULL,
	"format" text NOT NULL,
	"part" integer NOT NULL,
	"bytes_enc" "bytea" NOT NULL,
	CONSTRAINT "pk_carrier_batch_files" PRIMARY KEY("batch_id","format","part"),
	CONSTRAINT "ck_carrier_batch_files_format" CHECK ("carrier_batch_files"."format" in ('csv','json'))
);
--> statement-breakpoint
CREATE TABLE "carrier_exceptions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"dedupe_key" text NOT NULL,
	"kind" text NOT NULL,
	"application_id" uuid,
	"cancellation_id" uuid,
	"order_id" uuid,
	"carrier_code" text,
	"reason_code" text,
	"detail" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"resolved_at" timestamp with time zone,
	"resolved_by" uuid,
	"resolution" text,
	"resolution_note" text
);
--> statement-breakpoint
CREATE TABLE "carrier_push_attempts" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"batch_id" uuid NOT NULL,
	"carrier_code" text NOT NULL,
	"attempt" integer NOT NULL,
	"started_at" timestamp with time zone NOT NULL,
	"finished_at" timestamp with time zone,
	"outcome" text NOT NULL,
	"http_status" integer,
	"error" text,
	"duration_ms" integer
);
--> statement-breakpoint
CREATE TABLE "carrier_result_uploads" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"batch_id" uuid NOT NULL,
	"carrier_code" text NOT NULL,
	"actor" text NOT NULL,
	"format" text NOT NULL,
	"sha256" text NOT NULL,
	"status" text NOT NULL,
	"record_count" integer DEFAULT 0 NOT NULL,
	"applied_count" integer DEFAULT 0 NOT NULL,
	"unchanged_count" integer DEFAULT 0 NOT NULL,
	"error_count" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "ck_carrier_result_uploads_status" CHECK ("carrier_result_uploads"."status" in ('applied','rejected'))
);
--> statement-breakpoint
CREATE TABLE "carrier_sessions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"token_hash" text NOT NULL,
	"carrier_user_id" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"revoked_at" timestamp with time zone,
	"ip_hash" text
);
--> statement-breakpoint
CREATE TABLE "carrier_users" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"carrier_code" text NOT NULL,
	"username" text NOT NULL,
	"display_name" text NOT NULL,
	"password_hash" text NOT NULL,
	"failed_logins" integer DEFAULT 0 NOT NULL,
	"locked_until" timestamp with time zone,
	"disabled_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_by" uuid
);
--> statement-breakpoint
ALTER TABLE "carrier_batches" ADD COLUMN "manifest" text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "carrier_batches" ADD COLUMN "key_id" text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "carrier_batches" ADD COLUMN "csv_encoding" text DEFAULT 'utf-8' NOT NULL;--> statement-breakpoint
ALTER TABLE "carrier_batches" ADD COLUMN "csv_sha256" text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "carrier_batches" ADD COLUMN "csv_bytes" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "carrier_batches" ADD COLUMN "json_sha256" text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "carrier_batches" ADD COLUMN "json_bytes" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "carrier_batches" ADD COLUMN "prev_sha256" text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "carrier_batches" ADD COLUMN "answered_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "carrier_orders" ADD COLUMN "e164" text NOT NULL;--> statement-breakpoint
ALTER TABLE "carrier_orders" ADD COLUMN "prefecture" smallint;--> statement-breakpoint
ALTER TABLE "carrier_orders" ADD COLUMN "request_ref" text;--> statement-breakpoint
ALTER TABLE "carrier_orders" ADD COLUMN "subject_enc" text;--> statement-breakpoint
ALTER TABLE "carrier_orders" ADD COLUMN "reason_code" text;--> statement-breakpoint
ALTER TABLE "carrier_orders" ADD COLUMN "result_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "carriers" ADD COLUMN "name_en" text;--> statement-breakpoint
ALTER TABLE "carriers" ADD COLUMN "push_secret_enc" text;--> statement-breakpoint
ALTER TABLE "carriers" ADD COLUMN "push_secret_set_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "carrier_api_keys" ADD CONSTRAINT "carrier_api_keys_carrier_code_carriers_code_fk" FOREIGN KEY ("carrier_code") REFERENCES "public"."carriers"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "carrier_batch_files" ADD CONSTRAINT "carrier_batch_files_batch_id_carrier_batches_id_fk" FOREIGN KEY ("batch_id") REFERENCES "public"."carrier_batches"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "carrier_exceptions" ADD CONSTRAINT "carrier_exceptions_order_id_carrier_orders_id_fk" FOREIGN KEY ("order_id") REFERENCES "public"."carrier_orders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "carrier_push_attempts" ADD CONSTRAINT "carrier_push_attempts_batch_id_carrier_batches_id_fk" FOREIGN KEY ("batch_id") REFERENCES "public"."carrier_batches"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "carrier_result_uploads" ADD CONSTRAINT "carrier_result_uploads_batch_id_carrier_batches_id_fk" FOREIGN KEY ("batch_id") REFERENCES "public"."carrier_batches"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "carrier_sessions" ADD CONSTRAINT "carrier_sessions_carrier_user_id_carrier_users_id_fk" FOREIGN KEY ("carrier_user_id") REFERENCES "public"."carrier_users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "carrier_users" ADD CONSTRAINT "carrier_users_carrier_code_carriers_code_fk" FOREIGN KEY ("carrier_code") REFERENCES "public"."carriers"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "uq_carrier_api_keys_hash" ON "carrier_api_keys" USING btree ("key_hash");--> statement-breakpoint
CREATE INDEX "idx_carrier_api_keys_carrier" ON "carrier_api_keys" USING btree ("carrier_code");--> statement-breakpoint
CREATE UNIQUE INDEX "uq_carrier_exceptions_dedupe" ON "carrier_exceptions" USING btree ("dedupe_key");--> statement-breakpoint
CREATE INDEX "idx_carrier_exceptions_open" ON "carrier_exceptions" USING btree ("resolved_at","created_at");--> statement-breakpoint
CREATE INDEX "idx_carrier_exceptions_application" ON "carrier_exceptions" USING btree ("application_id");--> statement-breakpoint
CREATE INDEX "idx_carrier_push_attempts_batch" ON "carrier_push_attempts" USING btree ("batch_id","attempt");--> statement-breakpoint
CREATE INDEX "idx_carrier_result_uploads_batch" ON "carrier_result_uploads" USING btree ("batch_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "uq_carrier_sessions_token_hash" ON "carrier_sessions" USING btree ("token_hash");--> statement-breakpoint
CREATE INDEX "idx_carrier_sessions_user" ON "carrier_sessions" USING btree ("carrier_user_id");--> statement-breakpoint
CREATE UNIQUE INDEX "uq_carrier_users_username" ON "carrier_users" USING btree ("username");--> statement-breakpoint
CREATE INDEX "idx_carrier_users_carrier" ON "carrier_users" USING btree ("carrier_code");--> statement-breakpoint
CREATE INDEX "idx_carrier_orders_application" ON "carrier_orders" USING btree ("application_id");--> statement-breakpoint
CREATE INDEX "idx_carrier_orders_cancellation" ON "carrier_orders" USING btree ("cancellation_id");--> statement-breakpoint
ALTER TABLE "carrier_batches" ADD CONSTRAINT "ck_carrier_batches_status" CHECK ("carrier_batches"."status" in ('cutting','ready','sent','acknowledged','answered'));--> statement-breakpoint
ALTER TABLE "carrier_orders" ADD CONSTRAINT "ck_carrier_orders_status" CHECK ("carrier_orders"."status" in ('pending','cancelled','batched','acknowledged','done','rejected','accepted'));