CREATE TABLE "scanner_origins" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"shop_id" uuid NOT NULL,
	"org_id" uuid NOT NULL,
	"origin" text NOT NULL,
	"active" boolean DEFAULT true NOT NULL,
	"payment_pages" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"cadence_days" integer,
	"next_scan_at" timestamp with time zone NOT NULL,
	"last_scan_id" uuid,
	"last_grade" text,
	"last_score" integer,
	"last_scanned_at" timestamp with time zone,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "scanner_scans" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"origin_id" uuid NOT NULL,
	"shop_id" uuid NOT NULL,
	"org_id" uuid NOT NULL,
	"origin" text NOT NULL,
	"trigger" text NOT NULL,
	"requested_by" uuid,
	"status" text NOT NULL,
	"grade" text,
	"score" integer,
	"result" jsonb,
	"diff" jsonb,
	"alerts_sent" boolean DEFAULT false NOT NULL,
	"error" text,
	"attempts" integer DEFAULT 0 NOT NULL,
	"queued_at" timestamp with time zone NOT NULL,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "scanner_scripts" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"origin_id" uuid NOT NULL,
	"page" text NOT NULL,
	"src" text NOT NULL,
	"script_origin" text NOT NULL,
	"sha256" text,
	"integrity" text,
	"first_seen_at" timestamp with time zone NOT NULL,
	"last_seen_at" timestamp with time zone NOT NULL,
	"removed_at" timestamp with time zone,
	"last_scan_id" uuid NOT NULL
);
--> statement-breakpoint
ALTER TABLE "scanner_scans" ADD CONSTRAINT "scanner_scans_origin_id_scanner_origins_id_fk" FOREIGN KEY ("origin_id") REFERENCES "public"."scanner_origins"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "scanner_scripts" ADD CONSTRAINT "scanner_scripts_origin_id_scanner_origins_id_fk" FOREIGN KEY ("origin_id") REFERENCES "public"."scanner_origins"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "scanner_origins_shop_origin_idx" ON "scanner_origins" USING btree ("shop_id","origin");--> statement-breakpoint
CREATE INDEX "scanner_origins_due_idx" ON "scanner_origins" USING btree ("active","next_scan_at");--> statement-breakpoint
CREATE INDEX "scanner_origins_origin_idx" ON "scanner_origins" USING btree ("origin");--> statement-breakpoint
CREATE INDEX "scanner_scans_origin_idx" ON "scanner_scans" USING btree ("origin_id","queued_at");--> statement-breakpoint
CREATE INDEX "scanner_scans_shop_idx" ON "scanner_scans" USING btree ("shop_id","queued_at");--> statement-breakpoint
CREATE UNIQUE INDEX "scanner_scripts_page_src_idx" ON "scanner_scripts" USING btree ("origin_id","page","src");