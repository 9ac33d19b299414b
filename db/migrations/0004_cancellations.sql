CREATE TABLE "cancel_drafts" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"token_hash" text NOT NULL,
	"answers_enc" text NOT NULL,
	"cancellation_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "cancellation_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"cancellation_id" uuid NOT NULL,
	"type" text NOT NULL,
	"from_status" text,
	"to_status" text,
	"actor" text NOT NULL,
	"detail" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "cancellations" ADD COLUMN "area_key" text;--> statement-breakpoint
ALTER TABLE "cancellations" ADD COLUMN "confirmation_method" text;--> statement-breakpoint
ALTER TABLE "cancellations" ADD COLUMN "reviewed_by" uuid;--> statement-breakpoint
ALTER TABLE "cancellations" ADD COLUMN "objected_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "cancellations" ADD COLUMN "objected_by" text;--> statement-breakpoint
ALTER TABLE "cancellations" ADD COLUMN "objection_code_hash" text;--> statement-breakpoint
ALTER TABLE "cancellation_events" ADD CONSTRAINT "cancellation_events_cancellation_id_cancellations_id_fk" FOREIGN KEY ("cancellation_id") REFERENCES "public"."cancellations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "uq_cancel_drafts_token_hash" ON "cancel_drafts" USING btree ("token_hash");--> statement-breakpoint
CREATE INDEX "idx_cancel_drafts_expires" ON "cancel_drafts" USING btree ("expires_at");--> statement-breakpoint
CREATE INDEX "idx_cancellation_events_cancellation" ON "cancellation_events" USING btree ("cancellation_id","at");--> statement-breakpoint
CREATE INDEX "idx_cancellations_area" ON "cancellations" USING btree ("area_key","created_at");--> statement-breakpoint
ALTER TABLE "cancellations" ADD CONSTRAINT "ck_cancellations_status" CHECK ("cancellations"."status" in ('received','flagged','in_review','awaiting_confirmation','confirmed','cooling_off','objected','approved','declined','refused_by_subscriber','withdrawn_by_requester','expired'));--> statement-breakpoint
ALTER TABLE "cancellations" ADD CONSTRAINT "ck_cancellations_approved_confirmed" CHECK ("cancellations"."status" <> 'approved' or ("cancellations"."subscriber_confirmed_at" is not null and "cancellations"."confirmation_method" in ('callback_press_1','ivr_call_from_line')));