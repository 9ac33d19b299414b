CREATE TABLE "letter_batch_items" (
	"batch_id" uuid NOT NULL,
	"outbox_id" uuid NOT NULL,
	"position" integer NOT NULL,
	CONSTRAINT "pk_letter_batch_items" PRIMARY KEY("batch_id","outbox_id")
);
--> statement-breakpoint
CREATE TABLE "letter_batches" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"sequence" integer NOT NULL,
	"letter_count" integer NOT NULL,
	"pdf_sha256" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_by" uuid,
	"mailed_at" timestamp with time zone,
	"mailed_by" uuid,
	CONSTRAINT "ck_letter_batches_count" CHECK ("letter_batches"."letter_count" > 0)
);
--> statement-breakpoint
CREATE TABLE "work_claims" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"item_type" text NOT NULL,
	"item_id" text NOT NULL,
	"operator_id" uuid NOT NULL,
	"claimed_at" timestamp with time zone NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"completed_at" timestamp with time zone,
	"outcome" text
);
--> statement-breakpoint
ALTER TABLE "operators" ADD COLUMN "totp_last_step" bigint;--> statement-breakpoint
ALTER TABLE "operators" ADD COLUMN "password_must_change" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "operators" ADD COLUMN "last_login_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "operators" ADD COLUMN "created_by" uuid;--> statement-breakpoint
ALTER TABLE "letter_batch_items" ADD CONSTRAINT "letter_batch_items_batch_id_letter_batches_id_fk" FOREIGN KEY ("batch_id") REFERENCES "public"."letter_batches"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "letter_batch_items" ADD CONSTRAINT "letter_batch_items_outbox_id_outbox_id_fk" FOREIGN KEY ("outbox_id") REFERENCES "public"."outbox"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "letter_batches" ADD CONSTRAINT "letter_batches_created_by_operators_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."operators"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "letter_batches" ADD CONSTRAINT "letter_batches_mailed_by_operators_id_fk" FOREIGN KEY ("mailed_by") REFERENCES "public"."operators"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "work_claims" ADD CONSTRAINT "work_claims_operator_id_operators_id_fk" FOREIGN KEY ("operator_id") REFERENCES "public"."operators"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "uq_letter_batch_items_outbox" ON "letter_batch_items" USING btree ("outbox_id");--> statement-breakpoint
CREATE UNIQUE INDEX "uq_letter_batches_sequence" ON "letter_batches" USING btree ("sequence");--> statement-breakpoint
CREATE UNIQUE INDEX "uq_work_claims_item" ON "work_claims" USING btree ("item_type","item_id");--> statement-breakpoint
CREATE INDEX "idx_work_claims_operator" ON "work_claims" USING btree ("operator_id","expires_at");