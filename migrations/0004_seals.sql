CREATE TABLE "seals_anchors" (
	"version" integer PRIMARY KEY NOT NULL,
	"document" text NOT NULL,
	"sha256" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "seals_counters" (
	"name" text PRIMARY KEY NOT NULL,
	"next" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "seals_credentials" (
	"id" text PRIMARY KEY NOT NULL,
	"shop_id" uuid NOT NULL,
	"mark" text NOT NULL,
	"origins" jsonb NOT NULL,
	"kid" text NOT NULL,
	"jwt" text NOT NULL,
	"entry" text NOT NULL,
	"tlog_proof" text NOT NULL,
	"log_index" bigint NOT NULL,
	"status_index" integer NOT NULL,
	"state" text NOT NULL,
	"reason" text,
	"valid_from" timestamp with time zone NOT NULL,
	"valid_until" timestamp with time zone NOT NULL,
	"issued_at" timestamp with time zone NOT NULL,
	"changed_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "seals_keys" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"kid" text NOT NULL,
	"role" text NOT NULL,
	"public_key" text NOT NULL,
	"sealed_seed" text NOT NULL,
	"state" text NOT NULL,
	"not_before" timestamp with time zone NOT NULL,
	"not_after" timestamp with time zone,
	"revoked_at" timestamp with time zone,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "seals_status_lists" (
	"purpose" text NOT NULL,
	"version" integer NOT NULL,
	"jwt" text NOT NULL,
	"sha256" text NOT NULL,
	"valid_until" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "seals_status_lists_purpose_version_pk" PRIMARY KEY("purpose","version")
);
--> statement-breakpoint
CREATE INDEX "seals_credentials_shop" ON "seals_credentials" USING btree ("shop_id","mark");--> statement-breakpoint
CREATE UNIQUE INDEX "seals_credentials_status_index" ON "seals_credentials" USING btree ("status_index");--> statement-breakpoint
CREATE UNIQUE INDEX "seals_keys_kid" ON "seals_keys" USING btree ("kid");