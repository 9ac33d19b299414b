CREATE TABLE "ivr_calls" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"call_sid" text NOT NULL,
	"from_enc" text,
	"from_hash" text,
	"purpose" text,
	"node" text NOT NULL,
	"answers_enc" text NOT NULL,
	"status" text DEFAULT 'in_progress' NOT NULL,
	"application_id" uuid,
	"cancellation_id" uuid,
	"outbox_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"ended_at" timestamp with time zone
);
--> statement-breakpoint
CREATE UNIQUE INDEX "uq_ivr_calls_call_sid" ON "ivr_calls" USING btree ("call_sid");--> statement-breakpoint
CREATE INDEX "idx_ivr_calls_status" ON "ivr_calls" USING btree ("status","created_at");--> statement-breakpoint
CREATE INDEX "idx_ivr_calls_from_hash" ON "ivr_calls" USING btree ("from_hash");