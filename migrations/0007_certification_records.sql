CREATE TABLE "cert_change_reports" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"application_id" uuid NOT NULL,
	"merchant_org_id" uuid NOT NULL,
	"cb_org_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"before" text NOT NULL,
	"after" text NOT NULL,
	"effective_on" text NOT NULL,
	"reason" text NOT NULL,
	"evidence_ids" jsonb NOT NULL,
	"status" text NOT NULL,
	"review_note" text DEFAULT '' NOT NULL,
	"filed_by" uuid,
	"filed_at" timestamp with time zone NOT NULL,
	"reviewed_by" uuid,
	"reviewed_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "cert_complaints" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"reference" text NOT NULL,
	"application_id" uuid NOT NULL,
	"mark_number" text NOT NULL,
	"merchant_org_id" uuid NOT NULL,
	"cb_org_id" uuid NOT NULL,
	"category" text NOT NULL,
	"description" text NOT NULL,
	"complainant_name" text NOT NULL,
	"complainant_email" text NOT NULL,
	"status" text NOT NULL,
	"merchant_response" text DEFAULT '' NOT NULL,
	"responded_at" timestamp with time zone,
	"determination" text DEFAULT '' NOT NULL,
	"sanction_event" text,
	"determined_by" uuid,
	"determined_at" timestamp with time zone,
	"filed_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "cert_evidence" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"merchant_org_id" uuid NOT NULL,
	"file_id" uuid NOT NULL,
	"title" text NOT NULL,
	"filename" text NOT NULL,
	"media_type" text NOT NULL,
	"size_bytes" bigint NOT NULL,
	"sha256" text NOT NULL,
	"effective_from" timestamp with time zone NOT NULL,
	"expires_at" timestamp with time zone,
	"created_by" uuid,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "cert_evidence_links" (
	"evidence_id" uuid NOT NULL,
	"application_id" uuid NOT NULL,
	"requirement_id" text NOT NULL,
	"cycle" integer NOT NULL,
	"linked_by" uuid,
	"linked_at" timestamp with time zone NOT NULL,
	CONSTRAINT "cert_evidence_links_application_id_cycle_requirement_id_evidence_id_pk" PRIMARY KEY("application_id","cycle","requirement_id","evidence_id")
);
--> statement-breakpoint
CREATE TABLE "cert_inventory_items" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"application_id" uuid NOT NULL,
	"merchant_org_id" uuid NOT NULL,
	"name" text NOT NULL,
	"purpose" text NOT NULL,
	"purpose_codes" jsonb NOT NULL,
	"data_categories" jsonb NOT NULL,
	"source" text NOT NULL,
	"legal_basis" text NOT NULL,
	"systems" jsonb NOT NULL,
	"recipients" jsonb NOT NULL,
	"retention" text NOT NULL,
	"retention_months" integer,
	"record_count" bigint NOT NULL,
	"cross_border" boolean NOT NULL,
	"cross_border_countries" jsonb NOT NULL,
	"notes" text DEFAULT '' NOT NULL,
	"origin" text NOT NULL,
	"updated_by" uuid,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE INDEX "cert_change_reports_app_idx" ON "cert_change_reports" USING btree ("application_id","filed_at");--> statement-breakpoint
CREATE INDEX "cert_change_reports_cb_idx" ON "cert_change_reports" USING btree ("cb_org_id","status");--> statement-breakpoint
CREATE UNIQUE INDEX "cert_complaints_ref_uq" ON "cert_complaints" USING btree ("reference");--> statement-breakpoint
CREATE INDEX "cert_complaints_cb_idx" ON "cert_complaints" USING btree ("cb_org_id","status","filed_at");--> statement-breakpoint
CREATE INDEX "cert_complaints_app_idx" ON "cert_complaints" USING btree ("application_id");--> statement-breakpoint
CREATE UNIQUE INDEX "cert_evidence_file_uq" ON "cert_evidence" USING btree ("merchant_org_id","file_id");--> statement-breakpoint
CREATE INDEX "cert_evidence_links_ev_idx" ON "cert_evidence_links" USING btree ("evidence_id");--> statement-breakpoint
CREATE INDEX "cert_inventory_app_idx" ON "cert_inventory_items" USING btree ("application_id","name");--> statement-breakpoint
CREATE INDEX "cert_applications_shop_idx" ON "cert_applications" USING btree ("shop_id");