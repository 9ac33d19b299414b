ALTER TABLE "applications" ADD COLUMN "subscriber_name_unverified" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "verifications" ADD COLUMN "scan_id" uuid;--> statement-breakpoint
ALTER TABLE "scans" ADD COLUMN "line_id" uuid;--> statement-breakpoint
CREATE INDEX "idx_verifications_scan" ON "verifications" USING btree ("scan_id","created_at");--> statement-breakpoint
CREATE INDEX "idx_scans_line" ON "scans" USING btree ("line_id","status");