CREATE TABLE "feedback" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"target_kind" text NOT NULL,
	"plan_id" integer,
	"task_id" integer,
	"indicator_id" integer,
	"body" text NOT NULL,
	"author_name" text,
	"author_contact" text,
	"routed_unit_id" integer NOT NULL,
	"status" text DEFAULT 'new' NOT NULL,
	"answer" text,
	"answered_by" text,
	"answered_at" timestamp with time zone,
	"response_time_seconds" integer,
	"hidden_reason" text,
	"hidden_by" text,
	"hidden_at" timestamp with time zone,
	"ip_hash" text NOT NULL,
	"body_hash" text NOT NULL,
	"token_nonce" text NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "feedback_target_kind_ck" CHECK ("feedback"."target_kind" in ('plan','task','indicator')),
	CONSTRAINT "feedback_target_ck" CHECK (("feedback"."target_kind" = 'plan' and "feedback"."plan_id" is not null and "feedback"."task_id" is null and "feedback"."indicator_id" is null)
       or ("feedback"."target_kind" = 'task' and "feedback"."task_id" is not null and "feedback"."plan_id" is not null and "feedback"."indicator_id" is null)
       or ("feedback"."target_kind" = 'indicator' and "feedback"."indicator_id" is not null and "feedback"."plan_id" is null and "feedback"."task_id" is null)),
	CONSTRAINT "feedback_status_ck" CHECK ("feedback"."status" in ('new','answered','hidden'))
);
--> statement-breakpoint
CREATE TABLE "feedback_key" (
	"id" smallint PRIMARY KEY NOT NULL,
	"secret" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "feedback_rate" (
	"ip_hash" text NOT NULL,
	"window_kind" text NOT NULL,
	"window_start" timestamp with time zone NOT NULL,
	"count" integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "plan" (
	"id" serial PRIMARY KEY NOT NULL,
	"code" text NOT NULL,
	"document_id" integer,
	"title_vi" text NOT NULL,
	"title_en" text,
	"issuer" text,
	"issuer_unit_id" integer,
	"issued_on" date,
	"status" text DEFAULT 'active' NOT NULL,
	"closed_on" date,
	"seed" text,
	"note" text,
	"source" text,
	"search_text" text DEFAULT '' NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"archived_at" timestamp with time zone,
	CONSTRAINT "plan_status_ck" CHECK ("plan"."status" in ('draft','active','closed'))
);
--> statement-breakpoint
CREATE TABLE "task" (
	"id" serial PRIMARY KEY NOT NULL,
	"plan_id" integer NOT NULL,
	"number" text NOT NULL,
	"parent_id" integer,
	"sort" integer NOT NULL,
	"depth" smallint DEFAULT 0 NOT NULL,
	"title_vi" text NOT NULL,
	"title_en" text,
	"description_vi" text,
	"description_en" text,
	"lead_unit_id" integer,
	"lead_level" text,
	"deadline_kind" text DEFAULT 'none' NOT NULL,
	"deadline_value" text,
	"deadline_text" text,
	"deadline_date" date,
	"recurrence" text,
	"output_vi" text,
	"output_en" text,
	"quote" text,
	"search_text" text DEFAULT '' NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"archived_at" timestamp with time zone,
	CONSTRAINT "task_lead_ck" CHECK ("task"."lead_unit_id" is null or "task"."lead_level" is null),
	CONSTRAINT "task_deadline_kind_ck" CHECK ("task"."deadline_kind" in ('date','month','quarter','half','year','recurring','none')),
	CONSTRAINT "task_deadline_value_ck" CHECK (("task"."deadline_kind" in ('recurring','none')) = ("task"."deadline_value" is null)),
	CONSTRAINT "task_recurrence_ck" CHECK (("task"."deadline_kind" = 'recurring') = ("task"."recurrence" is not null) and ("task"."recurrence" is null or "task"."recurrence" in ('month','quarter','half','year')))
);
--> statement-breakpoint
CREATE TABLE "task_assignment" (
	"id" serial PRIMARY KEY NOT NULL,
	"task_id" integer NOT NULL,
	"role" text NOT NULL,
	"org_unit_id" integer,
	"org_level" text,
	"sort" smallint DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "task_assignment_uq" UNIQUE NULLS NOT DISTINCT("task_id","role","org_unit_id","org_level"),
	CONSTRAINT "task_assignment_role_ck" CHECK ("task_assignment"."role" in ('co_lead','coordinating')),
	CONSTRAINT "task_assignment_scope_ck" CHECK (("task_assignment"."org_unit_id" is null) <> ("task_assignment"."org_level" is null))
);
--> statement-breakpoint
CREATE TABLE "task_indicator" (
	"id" serial PRIMARY KEY NOT NULL,
	"task_id" integer NOT NULL,
	"indicator_id" integer NOT NULL,
	"target_id" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "task_indicator_uq" UNIQUE NULLS NOT DISTINCT("task_id","indicator_id","target_id")
);
--> statement-breakpoint
CREATE TABLE "task_progress" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"task_id" integer NOT NULL,
	"org_unit_id" integer NOT NULL,
	"period" text NOT NULL,
	"period_start" date NOT NULL,
	"role" text NOT NULL,
	"status" text NOT NULL,
	"percent" smallint,
	"narrative" text,
	"evidence" text,
	"completed_on" date,
	"provenance" text DEFAULT 'entered' NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"reported_by" text NOT NULL,
	"reported_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"archived_at" timestamp with time zone,
	CONSTRAINT "task_progress_role_ck" CHECK ("task_progress"."role" in ('lead','co_lead','coordinating')),
	CONSTRAINT "task_progress_status_ck" CHECK ("task_progress"."status" in ('not_started','in_progress','done','blocked')),
	CONSTRAINT "task_progress_percent_ck" CHECK ("task_progress"."percent" is null or ("task_progress"."percent" between 0 and 100)),
	CONSTRAINT "task_progress_provenance_ck" CHECK ("task_progress"."provenance" in ('entered','imported','computed','estimated','synthetic'))
);
--> statement-breakpoint
CREATE TABLE "task_progress_history" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"progress_id" bigint NOT NULL,
	"version" integer NOT NULL,
	"status" text NOT NULL,
	"percent" smallint,
	"narrative" text,
	"evidence" text,
	"completed_on" date,
	"provenance" text NOT NULL,
	"archived" boolean DEFAULT false NOT NULL,
	"reported_by" text NOT NULL,
	"reported_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "feedback" ADD CONSTRAINT "feedback_plan_id_plan_id_fk" FOREIGN KEY ("plan_id") REFERENCES "public"."plan"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "feedback" ADD CONSTRAINT "feedback_task_id_task_id_fk" FOREIGN KEY ("task_id") REFERENCES "public"."task"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "feedback" ADD CONSTRAINT "feedback_indicator_id_indicator_id_fk" FOREIGN KEY ("indicator_id") REFERENCES "public"."indicator"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "feedback" ADD CONSTRAINT "feedback_routed_unit_id_org_unit_id_fk" FOREIGN KEY ("routed_unit_id") REFERENCES "public"."org_unit"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "plan" ADD CONSTRAINT "plan_document_id_document_id_fk" FOREIGN KEY ("document_id") REFERENCES "public"."document"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "plan" ADD CONSTRAINT "plan_issuer_unit_id_org_unit_id_fk" FOREIGN KEY ("issuer_unit_id") REFERENCES "public"."org_unit"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "task" ADD CONSTRAINT "task_plan_id_plan_id_fk" FOREIGN KEY ("plan_id") REFERENCES "public"."plan"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "task" ADD CONSTRAINT "task_parent_id_task_id_fk" FOREIGN KEY ("parent_id") REFERENCES "public"."task"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "task" ADD CONSTRAINT "task_lead_unit_id_org_unit_id_fk" FOREIGN KEY ("lead_unit_id") REFERENCES "public"."org_unit"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "task" ADD CONSTRAINT "task_lead_level_org_level_code_fk" FOREIGN KEY ("lead_level") REFERENCES "public"."org_level"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "task_assignment" ADD CONSTRAINT "task_assignment_task_id_task_id_fk" FOREIGN KEY ("task_id") REFERENCES "public"."task"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "task_assignment" ADD CONSTRAINT "task_assignment_org_unit_id_org_unit_id_fk" FOREIGN KEY ("org_unit_id") REFERENCES "public"."org_unit"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "task_assignment" ADD CONSTRAINT "task_assignment_org_level_org_level_code_fk" FOREIGN KEY ("org_level") REFERENCES "public"."org_level"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "task_indicator" ADD CONSTRAINT "task_indicator_task_id_task_id_fk" FOREIGN KEY ("task_id") REFERENCES "public"."task"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "task_indicator" ADD CONSTRAINT "task_indicator_indicator_id_indicator_id_fk" FOREIGN KEY ("indicator_id") REFERENCES "public"."indicator"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "task_indicator" ADD CONSTRAINT "task_indicator_target_id_target_id_fk" FOREIGN KEY ("target_id") REFERENCES "public"."target"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "task_progress" ADD CONSTRAINT "task_progress_task_id_task_id_fk" FOREIGN KEY ("task_id") REFERENCES "public"."task"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "task_progress" ADD CONSTRAINT "task_progress_org_unit_id_org_unit_id_fk" FOREIGN KEY ("org_unit_id") REFERENCES "public"."org_unit"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "task_progress_history" ADD CONSTRAINT "task_progress_history_progress_id_task_progress_id_fk" FOREIGN KEY ("progress_id") REFERENCES "public"."task_progress"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "feedback_token_uq" ON "feedback" USING btree ("token_nonce");--> statement-breakpoint
CREATE INDEX "feedback_plan_idx" ON "feedback" USING btree ("plan_id","created_at");--> statement-breakpoint
CREATE INDEX "feedback_task_idx" ON "feedback" USING btree ("task_id","created_at");--> statement-breakpoint
CREATE INDEX "feedback_indicator_idx" ON "feedback" USING btree ("indicator_id","created_at");--> statement-breakpoint
CREATE INDEX "feedback_routed_idx" ON "feedback" USING btree ("routed_unit_id","status","created_at");--> statement-breakpoint
CREATE INDEX "feedback_body_idx" ON "feedback" USING btree ("body_hash","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "feedback_rate_pk" ON "feedback_rate" USING btree ("ip_hash","window_kind","window_start");--> statement-breakpoint
CREATE INDEX "feedback_rate_window_idx" ON "feedback_rate" USING btree ("window_start");--> statement-breakpoint
CREATE UNIQUE INDEX "plan_code_uq" ON "plan" USING btree ("code");--> statement-breakpoint
CREATE UNIQUE INDEX "task_number_uq" ON "task" USING btree ("plan_id","number");--> statement-breakpoint
CREATE INDEX "task_parent_idx" ON "task" USING btree ("parent_id");--> statement-breakpoint
CREATE INDEX "task_lead_unit_idx" ON "task" USING btree ("lead_unit_id");--> statement-breakpoint
CREATE INDEX "task_deadline_idx" ON "task" USING btree ("deadline_date");--> statement-breakpoint
CREATE INDEX "task_assignment_unit_idx" ON "task_assignment" USING btree ("org_unit_id");--> statement-breakpoint
CREATE INDEX "task_indicator_indicator_idx" ON "task_indicator" USING btree ("indicator_id");--> statement-breakpoint
CREATE UNIQUE INDEX "task_progress_key_uq" ON "task_progress" USING btree ("task_id","org_unit_id","period");--> statement-breakpoint
CREATE INDEX "task_progress_unit_idx" ON "task_progress" USING btree ("org_unit_id","period_start");--> statement-breakpoint
CREATE UNIQUE INDEX "task_progress_history_uq" ON "task_progress_history" USING btree ("progress_id","version");