CREATE TABLE "email_verifications" (
	"token_hash" text PRIMARY KEY NOT NULL,
	"user_id" uuid NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"used_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "email_verified_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "email_verifications" ADD CONSTRAINT "email_verifications_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "email_verifications_user_idx" ON "email_verifications" USING btree ("user_id");--> statement-breakpoint
-- Accounts made before e-mail confirmation existed: a member of an organisation that was approved
-- (or invited into one, which proved the address) keeps signing in; a self-registration still
-- waiting for the authority, or refused, confirms its address at its next sign-in.
UPDATE "users" SET "email_verified_at" = "created_at" WHERE EXISTS (SELECT 1 FROM "memberships" "m" JOIN "organisations" "o" ON "o"."id" = "m"."org_id" WHERE "m"."user_id" = "users"."id" AND "o"."status" IN ('active', 'suspended'));
