CREATE TABLE "registry_business_register" (
	"ubn" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"status" text NOT NULL,
	"status_text" text NOT NULL,
	"representative" text DEFAULT '' NOT NULL,
	"address" text DEFAULT '' NOT NULL,
	"import_id" uuid NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "registry_documents" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"shop_id" uuid NOT NULL,
	"evidence_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"note" text DEFAULT '' NOT NULL,
	"added_by" uuid,
	"added_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "registry_identity_events" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"shop_id" uuid NOT NULL,
	"action" text NOT NULL,
	"from_status" text NOT NULL,
	"to_status" text NOT NULL,
	"reason" text DEFAULT '' NOT NULL,
	"actor_user_id" uuid,
	"actor_kind" text NOT NULL,
	"at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "registry_imports" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"source" text NOT NULL,
	"bytes" bigint DEFAULT 0 NOT NULL,
	"rows" integer DEFAULT 0 NOT NULL,
	"skipped" integer DEFAULT 0 NOT NULL,
	"status" text NOT NULL,
	"error" text,
	"started_at" timestamp with time zone NOT NULL,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "registry_origins" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"shop_id" uuid NOT NULL,
	"origin" text NOT NULL,
	"host" text NOT NULL,
	"status" text NOT NULL,
	"token" text NOT NULL,
	"method" text,
	"proven_at" timestamp with time zone,
	"proof_expires_at" timestamp with time zone,
	"last_checked_at" timestamp with time zone,
	"last_error" text,
	"failing_since" timestamp with time zone,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "registry_profile_changes" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"shop_id" uuid NOT NULL,
	"proposed" jsonb NOT NULL,
	"previous" jsonb NOT NULL,
	"status" text NOT NULL,
	"reason" text DEFAULT '' NOT NULL,
	"requested_by" uuid,
	"decided_by" uuid,
	"created_at" timestamp with time zone NOT NULL,
	"decided_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "registry_shops" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"legal_name_zh" text NOT NULL,
	"legal_name_en" text NOT NULL,
	"ubn" text NOT NULL,
	"ubn_current_rule_only" boolean DEFAULT false NOT NULL,
	"representative" text NOT NULL,
	"address" text NOT NULL,
	"contact_email" text NOT NULL,
	"contact_phone" text NOT NULL,
	"service_channel" text NOT NULL,
	"sales_model" text NOT NULL,
	"sector" text NOT NULL,
	"identity_status" text DEFAULT 'unconfirmed' NOT NULL,
	"awaiting_shop" boolean DEFAULT false NOT NULL,
	"status_changed_at" timestamp with time zone NOT NULL,
	"confirmed_at" timestamp with time zone,
	"expires_at" timestamp with time zone,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	"search_text" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "registry_tls_bindings" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"origin_id" uuid NOT NULL,
	"fingerprint256" text NOT NULL,
	"subject" text NOT NULL,
	"issuer" text NOT NULL,
	"subject_alt_names" jsonb NOT NULL,
	"valid_from" timestamp with time zone NOT NULL,
	"valid_to" timestamp with time zone NOT NULL,
	"key_type" text NOT NULL,
	"key_bits" integer,
	"first_seen_at" timestamp with time zone NOT NULL,
	"last_seen_at" timestamp with time zone NOT NULL,
	"current" boolean NOT NULL,
	"expiry_warned_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "scheme_versions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"scheme" text NOT NULL,
	"version" text NOT NULL,
	"status" text NOT NULL,
	"mark_prefix" text NOT NULL,
	"content" jsonb NOT NULL,
	"sha256" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"created_by" uuid,
	"published_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "registry_documents" ADD CONSTRAINT "registry_documents_shop_id_registry_shops_id_fk" FOREIGN KEY ("shop_id") REFERENCES "public"."registry_shops"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "registry_identity_events" ADD CONSTRAINT "registry_identity_events_shop_id_registry_shops_id_fk" FOREIGN KEY ("shop_id") REFERENCES "public"."registry_shops"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "registry_origins" ADD CONSTRAINT "registry_origins_shop_id_registry_shops_id_fk" FOREIGN KEY ("shop_id") REFERENCES "public"."registry_shops"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "registry_profile_changes" ADD CONSTRAINT "registry_profile_changes_shop_id_registry_shops_id_fk" FOREIGN KEY ("shop_id") REFERENCES "public"."registry_shops"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "registry_tls_bindings" ADD CONSTRAINT "registry_tls_bindings_origin_id_registry_origins_id_fk" FOREIGN KEY ("origin_id") REFERENCES "public"."registry_origins"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "registry_documents_shop_evidence_idx" ON "registry_documents" USING btree ("shop_id","evidence_id");--> statement-breakpoint
CREATE INDEX "registry_identity_events_shop_idx" ON "registry_identity_events" USING btree ("shop_id","at");--> statement-breakpoint
CREATE UNIQUE INDEX "registry_origins_shop_origin_idx" ON "registry_origins" USING btree ("shop_id","origin");--> statement-breakpoint
CREATE INDEX "registry_origins_origin_idx" ON "registry_origins" USING btree ("origin");--> statement-breakpoint
CREATE INDEX "registry_origins_host_idx" ON "registry_origins" USING btree ("host");--> statement-breakpoint
CREATE INDEX "registry_origins_due_idx" ON "registry_origins" USING btree ("status","proof_expires_at");--> statement-breakpoint
CREATE INDEX "registry_profile_changes_shop_idx" ON "registry_profile_changes" USING btree ("shop_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "registry_shops_org_idx" ON "registry_shops" USING btree ("org_id");--> statement-breakpoint
CREATE INDEX "registry_shops_ubn_idx" ON "registry_shops" USING btree ("ubn");--> statement-breakpoint
CREATE INDEX "registry_shops_status_idx" ON "registry_shops" USING btree ("identity_status","legal_name_en");--> statement-breakpoint
CREATE INDEX "registry_tls_origin_idx" ON "registry_tls_bindings" USING btree ("origin_id","current");--> statement-breakpoint
CREATE UNIQUE INDEX "scheme_versions_scheme_version_uq" ON "scheme_versions" USING btree ("scheme","version");--> statement-breakpoint
CREATE INDEX "scheme_versions_status_idx" ON "scheme_versions" USING btree ("scheme","status");