CREATE TABLE "seals_widget_releases" (
	"sha256" text PRIMARY KEY NOT NULL,
	"path" text NOT NULL,
	"log_index" bigint NOT NULL,
	"created_at" timestamp with time zone NOT NULL
);
