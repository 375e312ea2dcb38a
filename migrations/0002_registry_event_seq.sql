CREATE TABLE "cert_accreditations" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"cb_org_id" uuid NOT NULL,
	"scheme" text NOT NULL,
	"scope" text NOT NULL,
	"status" text NOT NULL,
	"valid_from" timestamp with time zone,
	"valid_to" timestamp with time zone,
	"reason" text DEFAULT '' NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "cert_alarms" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"application_id" uuid NOT NULL,
	"cb_org_id" uuid NOT NULL,
	"merchant_org_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"due_at" timestamp with time zone NOT NULL,
	"raised_at" timestamp with time zone NOT NULL,
	"resolved_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "cert_applications" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"merchant_org_id" uuid NOT NULL,
	"shop_id" uuid,
	"cb_org_id" uuid NOT NULL,
	"scheme" text NOT NULL,
	"scheme_version" text NOT NULL,
	"scope" text NOT NULL,
	"status" text NOT NULL,
	"cycle" text NOT NULL,
	"ca_round" integer DEFAULT 0 NOT NULL,
	"ca_due_at" timestamp with time zone,
	"activation_due_at" timestamp with time zone,
	"valid_from" timestamp with time zone,
	"valid_to" timestamp with time zone,
	"renewal_counter" integer DEFAULT 0 NOT NULL,
	"surveillance_due_at" timestamp with time zone,
	"suspended_until" timestamp with time zone,
	"reapply_after" timestamp with time zone,
	"flags" jsonb NOT NULL,
	"mark_number" text,
	"agreement_signed" boolean DEFAULT false NOT NULL,
	"fee_paid" boolean DEFAULT false NOT NULL,
	"audit_plan" jsonb,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "cert_auditor_conflicts" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"auditor_id" uuid NOT NULL,
	"org_id" uuid NOT NULL,
	"reason" text NOT NULL,
	"declared_by" uuid,
	"declared_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "cert_auditors" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"cb_org_id" uuid NOT NULL,
	"user_id" uuid,
	"name" text NOT NULL,
	"grade" text NOT NULL,
	"status" text NOT NULL,
	"qualifications" jsonb NOT NULL,
	"training_hours" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "cert_company_numbers" (
	"scheme" text NOT NULL,
	"org_id" uuid NOT NULL,
	"number" integer NOT NULL,
	CONSTRAINT "cert_company_numbers_scheme_org_id_pk" PRIMARY KEY("scheme","org_id")
);
--> statement-breakpoint
CREATE TABLE "cert_corrective_actions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"application_id" uuid NOT NULL,
	"requirement_id" text NOT NULL,
	"grade" text NOT NULL,
	"finding" text NOT NULL,
	"owner" text DEFAULT '' NOT NULL,
	"due_at" timestamp with time zone NOT NULL,
	"status" text NOT NULL,
	"response" text DEFAULT '' NOT NULL,
	"evidence_ids" jsonb NOT NULL,
	"verification" text DEFAULT '' NOT NULL,
	"verified_by" uuid,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "cert_events" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"application_id" uuid NOT NULL,
	"event" text NOT NULL,
	"from_status" text NOT NULL,
	"to_status" text NOT NULL,
	"actor_user_id" uuid,
	"actor_kind" text NOT NULL,
	"reason" text DEFAULT '' NOT NULL,
	"evidence_ids" jsonb NOT NULL,
	"at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "cert_results" (
	"application_id" uuid NOT NULL,
	"requirement_id" text NOT NULL,
	"result" text NOT NULL,
	"note" text DEFAULT '' NOT NULL,
	"auditor_user_id" uuid,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "cert_results_application_id_requirement_id_pk" PRIMARY KEY("application_id","requirement_id")
);
--> statement-breakpoint
CREATE TABLE "cert_self_assessments" (
	"application_id" uuid NOT NULL,
	"requirement_id" text NOT NULL,
	"status" text NOT NULL,
	"note" text DEFAULT '' NOT NULL,
	"evidence_ids" jsonb NOT NULL,
	"updated_by" uuid,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "cert_self_assessments_application_id_requirement_id_pk" PRIMARY KEY("application_id","requirement_id")
);
--> statement-breakpoint
CREATE TABLE "cert_team" (
	"application_id" uuid NOT NULL,
	"auditor_id" uuid NOT NULL,
	"user_id" uuid,
	"lead" boolean NOT NULL,
	"assigned_by" uuid,
	"assigned_at" timestamp with time zone NOT NULL,
	CONSTRAINT "cert_team_application_id_auditor_id_pk" PRIMARY KEY("application_id","auditor_id")
);
--> statement-breakpoint
ALTER TABLE "registry_identity_events" ADD COLUMN "seq" bigint NOT NULL GENERATED ALWAYS AS IDENTITY (sequence name "registry_identity_events_seq_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1);--> statement-breakpoint
CREATE INDEX "cert_accreditations_cb_idx" ON "cert_accreditations" USING btree ("cb_org_id","scheme");--> statement-breakpoint
CREATE UNIQUE INDEX "cert_alarms_uq" ON "cert_alarms" USING btree ("application_id","kind","due_at");--> statement-breakpoint
CREATE INDEX "cert_alarms_open_idx" ON "cert_alarms" USING btree ("cb_org_id","resolved_at");--> statement-breakpoint
CREATE INDEX "cert_applications_cb_status_idx" ON "cert_applications" USING btree ("cb_org_id","status","updated_at");--> statement-breakpoint
CREATE INDEX "cert_applications_merchant_idx" ON "cert_applications" USING btree ("merchant_org_id","scheme");--> statement-breakpoint
CREATE UNIQUE INDEX "cert_applications_mark_uq" ON "cert_applications" USING btree ("mark_number");--> statement-breakpoint
CREATE INDEX "cert_applications_due_idx" ON "cert_applications" USING btree ("status","ca_due_at");--> statement-breakpoint
CREATE INDEX "cert_auditor_conflicts_idx" ON "cert_auditor_conflicts" USING btree ("auditor_id","org_id");--> statement-breakpoint
CREATE INDEX "cert_auditors_cb_idx" ON "cert_auditors" USING btree ("cb_org_id");--> statement-breakpoint
CREATE UNIQUE INDEX "cert_auditors_user_uq" ON "cert_auditors" USING btree ("cb_org_id","user_id");--> statement-breakpoint
CREATE UNIQUE INDEX "cert_company_numbers_uq" ON "cert_company_numbers" USING btree ("scheme","number");--> statement-breakpoint
CREATE INDEX "cert_ca_app_idx" ON "cert_corrective_actions" USING btree ("application_id","status");--> statement-breakpoint
CREATE INDEX "cert_events_app_idx" ON "cert_events" USING btree ("application_id","at");--> statement-breakpoint
CREATE INDEX "cert_team_user_idx" ON "cert_team" USING btree ("user_id");