CREATE TABLE "lines" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"e164" text NOT NULL,
	"carrier_code" text,
	"prefecture" smallint,
	"outgoing_suspension" text DEFAULT 'none' NOT NULL,
	"incoming_suspension" text DEFAULT 'none' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "ck_lines_e164" CHECK ("lines"."e164" ~ '^\+81[1-9][0-9]{8}$'),
	CONSTRAINT "ck_lines_outgoing" CHECK ("lines"."outgoing_suspension" in ('none','pending','active','resuming')),
	CONSTRAINT "ck_lines_incoming" CHECK ("lines"."incoming_suspension" in ('none','pending','active','resuming'))
);
--> statement-breakpoint
CREATE TABLE "carrier_batches" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"carrier_code" text NOT NULL,
	"sequence" integer NOT NULL,
	"record_count" integer NOT NULL,
	"file_format" text NOT NULL,
	"file_sha256" text NOT NULL,
	"signature" text NOT NULL,
	"status" text DEFAULT 'ready' NOT NULL,
	"cut_at" timestamp with time zone DEFAULT now() NOT NULL,
	"sent_at" timestamp with time zone,
	"acked_at" timestamp with time zone,
	"results_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "carrier_capabilities" (
	"carrier_code" text NOT NULL,
	"scope" text NOT NULL,
	"accepted_via_centre" boolean NOT NULL,
	"note_ja" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "pk_carrier_capabilities" PRIMARY KEY("carrier_code","scope"),
	CONSTRAINT "ck_carrier_capabilities_scope" CHECK ("carrier_capabilities"."scope" in ('outgoing','incoming'))
);
--> statement-breakpoint
CREATE TABLE "carrier_orders" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"carrier_code" text NOT NULL,
	"line_id" uuid NOT NULL,
	"application_id" uuid,
	"cancellation_id" uuid,
	"action" text NOT NULL,
	"scope" text NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"idempotency_key" text NOT NULL,
	"batch_id" uuid,
	"batch_position" integer,
	"result_code" text,
	"result_detail" jsonb,
	"effective_date" date,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "ck_carrier_orders_action" CHECK ("carrier_orders"."action" in ('SUSPEND','RESUME','INQUIRY')),
	CONSTRAINT "ck_carrier_orders_scope" CHECK ("carrier_orders"."scope" in ('outgoing','incoming'))
);
--> statement-breakpoint
CREATE TABLE "carriers" (
	"code" text PRIMARY KEY NOT NULL,
	"name_ja" text NOT NULL,
	"regions" integer[] DEFAULT '{}'::integer[] NOT NULL,
	"delivery_mode" text DEFAULT 'pull' NOT NULL,
	"push_url" text,
	"file_format" text DEFAULT 'csv-utf8' NOT NULL,
	"schedule" text DEFAULT 'hourly' NOT NULL,
	"batch_max_size" integer DEFAULT 5000 NOT NULL,
	"contact" text,
	"active" boolean DEFAULT true NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "ck_carriers_delivery_mode" CHECK ("carriers"."delivery_mode" in ('pull','push')),
	CONSTRAINT "ck_carriers_file_format" CHECK ("carriers"."file_format" in ('csv-utf8','csv-sjis','json'))
);
--> statement-breakpoint
CREATE TABLE "application_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"application_id" uuid NOT NULL,
	"type" text NOT NULL,
	"from_status" text,
	"to_status" text,
	"actor" text NOT NULL,
	"detail" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "applications" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"reference" text NOT NULL,
	"line_id" uuid NOT NULL,
	"scopes" text[] NOT NULL,
	"channel" text NOT NULL,
	"relation" text NOT NULL,
	"relation_detail" text,
	"subscriber_name_enc" text,
	"subscriber_kana_enc" text,
	"subscriber_kana_hash" text,
	"applicant_name_enc" text,
	"postal_code_enc" text,
	"address_enc" text,
	"prefecture" smallint,
	"contact_phone_enc" text,
	"contact_phone_hash" text,
	"carrier_choice" text NOT NULL,
	"carrier_code" text,
	"status" text DEFAULT 'received' NOT NULL,
	"idempotency_key" text NOT NULL,
	"subscriber_consent_at" timestamp with time zone,
	"verified_at" timestamp with time zone,
	"assisted" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "ck_applications_channel" CHECK ("applications"."channel" in ('web','ivr','paper','operator')),
	CONSTRAINT "ck_applications_relation" CHECK ("applications"."relation" in ('self','family','other')),
	CONSTRAINT "ck_applications_status" CHECK ("applications"."status" in ('received','verified','needs_review','queued','sent','acknowledged','completed','rejected','withdrawn','resumed'))
);
--> statement-breakpoint
CREATE TABLE "verifications" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"line_id" uuid NOT NULL,
	"application_id" uuid,
	"cancellation_id" uuid,
	"method" text NOT NULL,
	"purpose" text NOT NULL,
	"code_hash" text,
	"attempts" integer DEFAULT 0 NOT NULL,
	"max_attempts" integer DEFAULT 5 NOT NULL,
	"client_hash" text,
	"expires_at" timestamp with time zone NOT NULL,
	"last_sent_at" timestamp with time zone,
	"verified_at" timestamp with time zone,
	"consent" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "ck_verifications_method" CHECK ("verifications"."method" in ('callback','call_in','caller_id','letter')),
	CONSTRAINT "ck_verifications_consent" CHECK ("verifications"."consent" is null or "verifications"."consent" in ('agreed','refused'))
);
--> statement-breakpoint
CREATE TABLE "cancellations" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"reference" text NOT NULL,
	"line_id" uuid NOT NULL,
	"application_id" uuid,
	"kind" text NOT NULL,
	"channel" text NOT NULL,
	"requester_relation" text NOT NULL,
	"requester_relation_detail" text,
	"requester_name_enc" text,
	"requester_contact_enc" text,
	"requester_contact_hash" text,
	"reason_code" text NOT NULL,
	"reason_text_enc" text,
	"status" text DEFAULT 'received' NOT NULL,
	"risk_reasons" text[] DEFAULT '{}'::text[] NOT NULL,
	"evidence" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"prefecture" text,
	"subscriber_confirmed_at" timestamp with time zone,
	"cooling_off_until" timestamp with time zone,
	"decision" text,
	"decided_by" uuid,
	"decided_at" timestamp with time zone,
	"decision_note" text,
	"idempotency_key" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "ck_cancellations_kind" CHECK ("cancellations"."kind" in ('withdrawal','resumption')),
	CONSTRAINT "ck_cancellations_channel" CHECK ("cancellations"."channel" in ('web','ivr','paper','operator')),
	CONSTRAINT "ck_cancellations_relation" CHECK ("cancellations"."requester_relation" in ('self','family','other'))
);
--> statement-breakpoint
CREATE TABLE "paper_intakes" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"source" text NOT NULL,
	"original_filename" text,
	"content_type" text NOT NULL,
	"file_sha256" text NOT NULL,
	"page_count" integer,
	"status" text DEFAULT 'received' NOT NULL,
	"uploaded_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "ck_paper_intakes_source" CHECK ("paper_intakes"."source" in ('upload','fax_folder','mail'))
);
--> statement-breakpoint
CREATE TABLE "scans" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"intake_id" uuid NOT NULL,
	"page_number" integer NOT NULL,
	"image_enc" "bytea" NOT NULL,
	"form_type" text,
	"form_version" text,
	"request_id" text,
	"status" text DEFAULT 'pending' NOT NULL,
	"fields_enc" text,
	"corrections_enc" text,
	"exception_reason" text,
	"application_id" uuid,
	"cancellation_id" uuid,
	"claimed_by" uuid,
	"claimed_at" timestamp with time zone,
	"verified_by" uuid,
	"verified_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "outbox" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"channel" text NOT NULL,
	"purpose" text NOT NULL,
	"to_enc" text NOT NULL,
	"body_enc" text NOT NULL,
	"template" text,
	"status" text DEFAULT 'queued' NOT NULL,
	"provider" text,
	"provider_ref" text,
	"attempts" integer DEFAULT 0 NOT NULL,
	"last_error" text,
	"idempotency_key" text NOT NULL,
	"application_id" uuid,
	"cancellation_id" uuid,
	"verification_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"sent_at" timestamp with time zone,
	"delivered_at" timestamp with time zone,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "ck_outbox_channel" CHECK ("outbox"."channel" in ('sms','call','letter')),
	CONSTRAINT "ck_outbox_status" CHECK ("outbox"."status" in ('queued','sending','sent','delivered','held','failed','printed','mailed'))
);
--> statement-breakpoint
CREATE TABLE "operators" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"username" text NOT NULL,
	"display_name" text NOT NULL,
	"role" text NOT NULL,
	"password_hash" text NOT NULL,
	"totp_secret_enc" text,
	"totp_enrolled_at" timestamp with time zone,
	"failed_logins" integer DEFAULT 0 NOT NULL,
	"locked_until" timestamp with time zone,
	"disabled_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "ck_operators_role" CHECK ("operators"."role" in ('operator','supervisor','admin','auditor'))
);
--> statement-breakpoint
CREATE TABLE "sessions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"token_hash" text NOT NULL,
	"operator_id" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"revoked_at" timestamp with time zone,
	"ip_hash" text
);
--> statement-breakpoint
CREATE TABLE "audit_log" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"actor" text NOT NULL,
	"action" text NOT NULL,
	"subject_type" text NOT NULL,
	"subject_id" text,
	"ip_hash" text,
	"detail" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"prev_hash" text NOT NULL,
	"hash" text NOT NULL
);
--> statement-breakpoint
ALTER TABLE "lines" ADD CONSTRAINT "lines_carrier_code_carriers_code_fk" FOREIGN KEY ("carrier_code") REFERENCES "public"."carriers"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "carrier_batches" ADD CONSTRAINT "carrier_batches_carrier_code_carriers_code_fk" FOREIGN KEY ("carrier_code") REFERENCES "public"."carriers"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "carrier_capabilities" ADD CONSTRAINT "carrier_capabilities_carrier_code_carriers_code_fk" FOREIGN KEY ("carrier_code") REFERENCES "public"."carriers"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "carrier_orders" ADD CONSTRAINT "carrier_orders_carrier_code_carriers_code_fk" FOREIGN KEY ("carrier_code") REFERENCES "public"."carriers"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "carrier_orders" ADD CONSTRAINT "carrier_orders_batch_id_carrier_batches_id_fk" FOREIGN KEY ("batch_id") REFERENCES "public"."carrier_batches"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "application_events" ADD CONSTRAINT "application_events_application_id_applications_id_fk" FOREIGN KEY ("application_id") REFERENCES "public"."applications"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "applications" ADD CONSTRAINT "applications_line_id_lines_id_fk" FOREIGN KEY ("line_id") REFERENCES "public"."lines"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "verifications" ADD CONSTRAINT "verifications_line_id_lines_id_fk" FOREIGN KEY ("line_id") REFERENCES "public"."lines"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "cancellations" ADD CONSTRAINT "cancellations_line_id_lines_id_fk" FOREIGN KEY ("line_id") REFERENCES "public"."lines"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "scans" ADD CONSTRAINT "scans_intake_id_paper_intakes_id_fk" FOREIGN KEY ("intake_id") REFERENCES "public"."paper_intakes"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sessions" ADD CONSTRAINT "sessions_operator_id_operators_id_fk" FOREIGN KEY ("operator_id") REFERENCES "public"."operators"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "uq_lines_e164" ON "lines" USING btree ("e164");--> statement-breakpoint
CREATE INDEX "idx_lines_carrier" ON "lines" USING btree ("carrier_code");--> statement-breakpoint
CREATE UNIQUE INDEX "uq_carrier_batches_sequence" ON "carrier_batches" USING btree ("carrier_code","sequence");--> statement-breakpoint
CREATE INDEX "idx_carrier_batches_status" ON "carrier_batches" USING btree ("carrier_code","status");--> statement-breakpoint
CREATE UNIQUE INDEX "uq_carrier_orders_idempotency_key" ON "carrier_orders" USING btree ("idempotency_key");--> statement-breakpoint
CREATE INDEX "idx_carrier_orders_pending" ON "carrier_orders" USING btree ("carrier_code","status","created_at");--> statement-breakpoint
CREATE INDEX "idx_carrier_orders_line" ON "carrier_orders" USING btree ("line_id");--> statement-breakpoint
CREATE INDEX "idx_carrier_orders_batch" ON "carrier_orders" USING btree ("batch_id","batch_position");--> statement-breakpoint
CREATE INDEX "idx_application_events_application" ON "application_events" USING btree ("application_id","at");--> statement-breakpoint
CREATE UNIQUE INDEX "uq_applications_reference" ON "applications" USING btree ("reference");--> statement-breakpoint
CREATE UNIQUE INDEX "uq_applications_idempotency_key" ON "applications" USING btree ("idempotency_key");--> statement-breakpoint
CREATE INDEX "idx_applications_line" ON "applications" USING btree ("line_id","created_at");--> statement-breakpoint
CREATE INDEX "idx_applications_status" ON "applications" USING btree ("status","created_at");--> statement-breakpoint
CREATE INDEX "idx_applications_kana_hash" ON "applications" USING btree ("subscriber_kana_hash");--> statement-breakpoint
CREATE INDEX "idx_applications_contact_hash" ON "applications" USING btree ("contact_phone_hash");--> statement-breakpoint
CREATE INDEX "idx_verifications_line" ON "verifications" USING btree ("line_id","created_at");--> statement-breakpoint
CREATE INDEX "idx_verifications_client" ON "verifications" USING btree ("client_hash","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "uq_cancellations_reference" ON "cancellations" USING btree ("reference");--> statement-breakpoint
CREATE UNIQUE INDEX "uq_cancellations_idempotency_key" ON "cancellations" USING btree ("idempotency_key");--> statement-breakpoint
CREATE INDEX "idx_cancellations_line" ON "cancellations" USING btree ("line_id","created_at");--> statement-breakpoint
CREATE INDEX "idx_cancellations_contact_hash" ON "cancellations" USING btree ("requester_contact_hash","created_at");--> statement-breakpoint
CREATE INDEX "idx_cancellations_status" ON "cancellations" USING btree ("status","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "uq_paper_intakes_sha256" ON "paper_intakes" USING btree ("file_sha256");--> statement-breakpoint
CREATE UNIQUE INDEX "uq_scans_intake_page" ON "scans" USING btree ("intake_id","page_number");--> statement-breakpoint
CREATE INDEX "idx_scans_status" ON "scans" USING btree ("status","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "uq_outbox_idempotency_key" ON "outbox" USING btree ("idempotency_key");--> statement-breakpoint
CREATE INDEX "idx_outbox_channel_status" ON "outbox" USING btree ("channel","status","created_at");--> statement-breakpoint
CREATE INDEX "idx_outbox_created" ON "outbox" USING btree ("created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "uq_operators_username" ON "operators" USING btree ("username");--> statement-breakpoint
CREATE UNIQUE INDEX "uq_sessions_token_hash" ON "sessions" USING btree ("token_hash");--> statement-breakpoint
CREATE INDEX "idx_sessions_operator" ON "sessions" USING btree ("operator_id");--> statement-breakpoint
CREATE INDEX "idx_audit_log_subject" ON "audit_log" USING btree ("subject_type","subject_id");--> statement-breakpoint
CREATE INDEX "idx_audit_log_actor" ON "audit_log" USING btree ("actor","at");