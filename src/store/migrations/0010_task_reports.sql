CREATE TABLE "task_report" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"submission_id" integer NOT NULL,
	"task_id" integer NOT NULL,
	"org_unit_id" integer NOT NULL,
	"period" text NOT NULL,
	"role" text NOT NULL,
	"state" text DEFAULT 'draft' NOT NULL,
	"status" text NOT NULL,
	"percent" smallint,
	"narrative" text,
	"attachment_id" integer,
	"evidence" text,
	"completed_on" date,
	"version" integer DEFAULT 1 NOT NULL,
	"entered_by" text NOT NULL,
	"progress_id" bigint,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"archived_at" timestamp with time zone,
	CONSTRAINT "task_report_role_ck" CHECK ("task_report"."role" in ('lead','co_lead','coordinating')),
	CONSTRAINT "task_report_state_ck" CHECK ("task_report"."state" in ('draft','submitted','approved')),
	CONSTRAINT "task_report_status_ck" CHECK ("task_report"."status" in ('not_started','in_progress','done','blocked')),
	CONSTRAINT "task_report_percent_ck" CHECK ("task_report"."percent" is null or ("task_report"."percent" between 0 and 100))
);
--> statement-breakpoint
ALTER TABLE "form_item" DROP CONSTRAINT "form_item_kind_ck";--> statement-breakpoint
ALTER TABLE "task_progress" ADD COLUMN "submission_id" integer;--> statement-breakpoint
ALTER TABLE "task_progress" ADD COLUMN "attachment_id" integer;--> statement-breakpoint
ALTER TABLE "task_progress" ADD COLUMN "approved_by" text;--> statement-breakpoint
ALTER TABLE "task_progress" ADD COLUMN "approved_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "form_item" ADD COLUMN "task_id" integer;--> statement-breakpoint
ALTER TABLE "task_report" ADD CONSTRAINT "task_report_submission_id_submission_id_fk" FOREIGN KEY ("submission_id") REFERENCES "public"."submission"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "task_report" ADD CONSTRAINT "task_report_task_id_task_id_fk" FOREIGN KEY ("task_id") REFERENCES "public"."task"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "task_report" ADD CONSTRAINT "task_report_org_unit_id_org_unit_id_fk" FOREIGN KEY ("org_unit_id") REFERENCES "public"."org_unit"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "task_report" ADD CONSTRAINT "task_report_attachment_id_attachment_id_fk" FOREIGN KEY ("attachment_id") REFERENCES "public"."attachment"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "task_report" ADD CONSTRAINT "task_report_progress_id_task_progress_id_fk" FOREIGN KEY ("progress_id") REFERENCES "public"."task_progress"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "task_report_submission_task_uq" ON "task_report" USING btree ("submission_id","task_id");--> statement-breakpoint
CREATE INDEX "task_report_task_idx" ON "task_report" USING btree ("task_id","period");--> statement-breakpoint
ALTER TABLE "task_progress" ADD CONSTRAINT "task_progress_submission_id_submission_id_fk" FOREIGN KEY ("submission_id") REFERENCES "public"."submission"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "task_progress" ADD CONSTRAINT "task_progress_attachment_id_attachment_id_fk" FOREIGN KEY ("attachment_id") REFERENCES "public"."attachment"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "form_item" ADD CONSTRAINT "form_item_task_id_task_id_fk" FOREIGN KEY ("task_id") REFERENCES "public"."task"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "form_item_task_idx" ON "form_item" USING btree ("task_id");--> statement-breakpoint
ALTER TABLE "form_item" ADD CONSTRAINT "form_item_task_ck" CHECK (("form_item"."kind" = 'task') = ("form_item"."task_id" is not null) and ("form_item"."kind" <> 'task' or "form_item"."indicator_id" is null));--> statement-breakpoint
ALTER TABLE "form_item" ADD CONSTRAINT "form_item_kind_ck" CHECK ("form_item"."kind" in ('indicator','task'));