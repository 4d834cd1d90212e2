CREATE TABLE "reminder_delivery" (
	"id" serial PRIMARY KEY NOT NULL,
	"submission_id" integer NOT NULL,
	"day" date NOT NULL,
	"status" text NOT NULL,
	"claimed_by" text NOT NULL,
	"claimed_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone,
	"recipients" jsonb,
	"rejected" jsonb,
	"error" text,
	"attempts" integer DEFAULT 1 NOT NULL,
	CONSTRAINT "reminder_delivery_status_ck" CHECK ("reminder_delivery"."status" in ('claimed','sent','failed'))
);
--> statement-breakpoint
ALTER TABLE "submission_signature" ADD COLUMN "revocation" text;--> statement-breakpoint
ALTER TABLE "submission_signature" ADD COLUMN "revocation_detail" jsonb;--> statement-breakpoint
ALTER TABLE "reminder_delivery" ADD CONSTRAINT "reminder_delivery_submission_id_submission_id_fk" FOREIGN KEY ("submission_id") REFERENCES "public"."submission"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "reminder_delivery_submission_day_uq" ON "reminder_delivery" USING btree ("submission_id","day");--> statement-breakpoint
ALTER TABLE "submission_signature" ADD CONSTRAINT "submission_signature_revocation_ck" CHECK ("submission_signature"."revocation" in ('good','revoked','unknown'));