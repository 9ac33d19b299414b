CREATE TABLE "apply_drafts" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"token_hash" text NOT NULL,
	"answers_enc" text NOT NULL,
	"assisted" boolean DEFAULT false NOT NULL,
	"verification_id" uuid,
	"application_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "applications" ADD COLUMN "replaces_line_id" uuid;--> statement-breakpoint
ALTER TABLE "applications" ADD COLUMN "verification_method" text;--> statement-breakpoint
ALTER TABLE "verifications" ADD COLUMN "sends" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX "uq_apply_drafts_token_hash" ON "apply_drafts" USING btree ("token_hash");--> statement-breakpoint
CREATE INDEX "idx_apply_drafts_expires" ON "apply_drafts" USING btree ("expires_at");--> statement-breakpoint
ALTER TABLE "applications" ADD CONSTRAINT "applications_replaces_line_id_lines_id_fk" FOREIGN KEY ("replaces_line_id") REFERENCES "public"."lines"("id") ON DELETE no action ON UPDATE no action;