CREATE TABLE "cert_incidents" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"application_id" uuid NOT NULL,
	"merchant_org_id" uuid NOT NULL,
	"cb_org_id" uuid NOT NULL,
	"title" text NOT NULL,
	"occurred_at" timestamp with time zone NOT NULL,
	"discovered_at" timestamp with time zone NOT NULL,
	"records_affected" integer NOT NULL,
	"special_data" boolean NOT NULL,
	"stage" text NOT NULL,
	"reports" jsonb NOT NULL,
	"late_quick_report" boolean NOT NULL,
	"body_measure" text DEFAULT '' NOT NULL,
	"closed_by" uuid,
	"closed_at" timestamp with time zone,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE INDEX "cert_incidents_app_idx" ON "cert_incidents" USING btree ("application_id","created_at");--> statement-breakpoint
CREATE INDEX "cert_incidents_cb_idx" ON "cert_incidents" USING btree ("cb_org_id","stage");