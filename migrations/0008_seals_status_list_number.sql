ALTER TABLE "seals_status_lists" ADD COLUMN "list" integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE "seals_status_lists" DROP CONSTRAINT "seals_status_lists_purpose_version_pk";--> statement-breakpoint
ALTER TABLE "seals_status_lists" ADD CONSTRAINT "seals_status_lists_purpose_list_version_pk" PRIMARY KEY("purpose","list","version");
