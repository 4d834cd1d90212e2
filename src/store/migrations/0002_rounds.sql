CREATE TABLE "attachment" (
	"id" serial PRIMARY KEY NOT NULL,
	"submission_id" integer NOT NULL,
	"indicator_id" integer,
	"filename" text NOT NULL,
	"media_type" text NOT NULL,
	"size" integer NOT NULL,
	"sha256" text NOT NULL,
	"content" "bytea" NOT NULL,
	"uploaded_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"archived_at" timestamp with time zone,
	"archived_by" text,
	"archive_reason" text
);
--> statement-breakpoint
CREATE TABLE "form" (
	"id" serial PRIMARY KEY NOT NULL,
	"code" text NOT NULL,
	"name_vi" text NOT NULL,
	"name_en" text NOT NULL,
	"description_vi" text,
	"description_en" text,
	"period_type" text NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"sections" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"archived_at" timestamp with time zone,
	CONSTRAINT "form_period_type_ck" CHECK ("form"."period_type" in ('year','half','quarter','month'))
);
--> statement-breakpoint
CREATE TABLE "form_item" (
	"id" serial PRIMARY KEY NOT NULL,
	"form_id" integer NOT NULL,
	"form_version" integer NOT NULL,
	"position" smallint NOT NULL,
	"kind" text DEFAULT 'indicator' NOT NULL,
	"indicator_id" integer,
	"section" text,
	"required" boolean DEFAULT false NOT NULL,
	CONSTRAINT "form_item_kind_ck" CHECK ("form_item"."kind" in ('indicator')),
	CONSTRAINT "form_item_indicator_ck" CHECK ("form_item"."kind" <> 'indicator' or "form_item"."indicator_id" is not null)
);
--> statement-breakpoint
CREATE TABLE "reporting_contact" (
	"id" serial PRIMARY KEY NOT NULL,
	"org_unit_id" integer NOT NULL,
	"name" text NOT NULL,
	"email" text NOT NULL,
	"phone" text,
	"position" text,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"archived_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "round" (
	"id" serial PRIMARY KEY NOT NULL,
	"form_id" integer NOT NULL,
	"form_version" integer NOT NULL,
	"period" text NOT NULL,
	"period_start" date NOT NULL,
	"title_vi" text,
	"title_en" text,
	"window_rule" text DEFAULT 'decree09' NOT NULL,
	"data_from" date NOT NULL,
	"data_to" date NOT NULL,
	"cutoff" date NOT NULL,
	"deadline" date NOT NULL,
	"opens_at" timestamp with time zone NOT NULL,
	"scope_unit_id" integer NOT NULL,
	"scope_level" text,
	"status" text DEFAULT 'open' NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"created_by" text NOT NULL,
	"closed_by" text,
	"closed_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"archived_at" timestamp with time zone,
	CONSTRAINT "round_status_ck" CHECK ("round"."status" in ('open','closed')),
	CONSTRAINT "round_window_rule_ck" CHECK ("round"."window_rule" in ('decree09','calendar')),
	CONSTRAINT "round_dates_ck" CHECK ("round"."data_from" <= "round"."data_to" and "round"."cutoff" <= "round"."deadline")
);
--> statement-breakpoint
CREATE TABLE "submission" (
	"id" serial PRIMARY KEY NOT NULL,
	"round_id" integer NOT NULL,
	"org_unit_id" integer NOT NULL,
	"status" text DEFAULT 'draft' NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"late" boolean DEFAULT false NOT NULL,
	"submitted_by" text,
	"submitted_at" timestamp with time zone,
	"warning_comments" jsonb,
	"reviewed_by" text,
	"reviewed_at" timestamp with time zone,
	"return_comment" text,
	"locked_by" text,
	"locked_at" timestamp with time zone,
	"reopened_by" text,
	"reopened_at" timestamp with time zone,
	"reopen_reason" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"archived_at" timestamp with time zone,
	CONSTRAINT "submission_status_ck" CHECK ("submission"."status" in ('draft','submitted','returned','approved','locked'))
);
--> statement-breakpoint
CREATE TABLE "submission_event" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"submission_id" integer NOT NULL,
	"action" text NOT NULL,
	"from_status" text,
	"to_status" text NOT NULL,
	"actor" text NOT NULL,
	"comment" text,
	"data" jsonb,
	"at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "submission_signature" (
	"id" serial PRIMARY KEY NOT NULL,
	"submission_id" integer NOT NULL,
	"signature" "bytea" NOT NULL,
	"content_sha256" text NOT NULL,
	"signer_subject" text NOT NULL,
	"signer_serial" text NOT NULL,
	"signer_issuer" text NOT NULL,
	"signer_not_before" timestamp with time zone,
	"signer_not_after" timestamp with time zone,
	"signing_time" timestamp with time zone,
	"verified_at" timestamp with time zone NOT NULL,
	"result" text NOT NULL,
	"result_detail" jsonb,
	"uploaded_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"archived_at" timestamp with time zone,
	CONSTRAINT "submission_signature_result_ck" CHECK ("submission_signature"."result" in ('valid','invalid'))
);
--> statement-breakpoint
CREATE TABLE "validation_rule" (
	"id" serial PRIMARY KEY NOT NULL,
	"code" text NOT NULL,
	"name_vi" text NOT NULL,
	"name_en" text NOT NULL,
	"description_vi" text,
	"description_en" text,
	"left_expr" text NOT NULL,
	"operator" text NOT NULL,
	"right_expr" text NOT NULL,
	"importance" text NOT NULL,
	"period_type" text NOT NULL,
	"form_id" integer,
	"version" integer DEFAULT 1 NOT NULL,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"archived_at" timestamp with time zone,
	CONSTRAINT "validation_rule_operator_ck" CHECK ("validation_rule"."operator" in ('==','!=','<','<=','>','>=')),
	CONSTRAINT "validation_rule_importance_ck" CHECK ("validation_rule"."importance" in ('error','warning')),
	CONSTRAINT "validation_rule_period_type_ck" CHECK ("validation_rule"."period_type" in ('year','half','quarter','month'))
);
--> statement-breakpoint
ALTER TABLE "attachment" ADD CONSTRAINT "attachment_submission_id_submission_id_fk" FOREIGN KEY ("submission_id") REFERENCES "public"."submission"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "attachment" ADD CONSTRAINT "attachment_indicator_id_indicator_id_fk" FOREIGN KEY ("indicator_id") REFERENCES "public"."indicator"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "form_item" ADD CONSTRAINT "form_item_form_id_form_id_fk" FOREIGN KEY ("form_id") REFERENCES "public"."form"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "form_item" ADD CONSTRAINT "form_item_indicator_id_indicator_id_fk" FOREIGN KEY ("indicator_id") REFERENCES "public"."indicator"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reporting_contact" ADD CONSTRAINT "reporting_contact_org_unit_id_org_unit_id_fk" FOREIGN KEY ("org_unit_id") REFERENCES "public"."org_unit"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "round" ADD CONSTRAINT "round_form_id_form_id_fk" FOREIGN KEY ("form_id") REFERENCES "public"."form"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "round" ADD CONSTRAINT "round_scope_unit_id_org_unit_id_fk" FOREIGN KEY ("scope_unit_id") REFERENCES "public"."org_unit"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "round" ADD CONSTRAINT "round_scope_level_org_level_code_fk" FOREIGN KEY ("scope_level") REFERENCES "public"."org_level"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "submission" ADD CONSTRAINT "submission_round_id_round_id_fk" FOREIGN KEY ("round_id") REFERENCES "public"."round"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "submission" ADD CONSTRAINT "submission_org_unit_id_org_unit_id_fk" FOREIGN KEY ("org_unit_id") REFERENCES "public"."org_unit"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "submission_event" ADD CONSTRAINT "submission_event_submission_id_submission_id_fk" FOREIGN KEY ("submission_id") REFERENCES "public"."submission"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "submission_signature" ADD CONSTRAINT "submission_signature_submission_id_submission_id_fk" FOREIGN KEY ("submission_id") REFERENCES "public"."submission"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "validation_rule" ADD CONSTRAINT "validation_rule_form_id_form_id_fk" FOREIGN KEY ("form_id") REFERENCES "public"."form"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "attachment_submission_idx" ON "attachment" USING btree ("submission_id");--> statement-breakpoint
CREATE UNIQUE INDEX "form_code_uq" ON "form" USING btree ("code");--> statement-breakpoint
CREATE UNIQUE INDEX "form_item_position_uq" ON "form_item" USING btree ("form_id","form_version","position");--> statement-breakpoint
CREATE INDEX "form_item_indicator_idx" ON "form_item" USING btree ("indicator_id");--> statement-breakpoint
CREATE INDEX "reporting_contact_unit_idx" ON "reporting_contact" USING btree ("org_unit_id");--> statement-breakpoint
CREATE INDEX "round_form_period_idx" ON "round" USING btree ("form_id","period");--> statement-breakpoint
CREATE INDEX "round_status_idx" ON "round" USING btree ("status","deadline");--> statement-breakpoint
CREATE UNIQUE INDEX "submission_round_unit_uq" ON "submission" USING btree ("round_id","org_unit_id");--> statement-breakpoint
CREATE INDEX "submission_unit_idx" ON "submission" USING btree ("org_unit_id");--> statement-breakpoint
CREATE INDEX "submission_status_idx" ON "submission" USING btree ("status");--> statement-breakpoint
CREATE INDEX "submission_event_submission_idx" ON "submission_event" USING btree ("submission_id","id");--> statement-breakpoint
CREATE INDEX "submission_signature_submission_idx" ON "submission_signature" USING btree ("submission_id");--> statement-breakpoint
CREATE UNIQUE INDEX "validation_rule_code_uq" ON "validation_rule" USING btree ("code");