CREATE TABLE "audit_log" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"seq" bigint NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"actor" text NOT NULL,
	"action" text NOT NULL,
	"entity" text NOT NULL,
	"entity_id" text,
	"data" jsonb,
	"payload" text NOT NULL,
	"prev_hash" text NOT NULL,
	"hash" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "data_value" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"indicator_id" integer NOT NULL,
	"org_unit_id" integer NOT NULL,
	"period" text NOT NULL,
	"period_start" date NOT NULL,
	"disagg" text DEFAULT '' NOT NULL,
	"value" double precision,
	"provenance" text NOT NULL,
	"status" text DEFAULT 'approved' NOT NULL,
	"comment" text,
	"source_document_id" integer,
	"quote" text,
	"version" integer DEFAULT 1 NOT NULL,
	"changed_by" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"archived_at" timestamp with time zone,
	CONSTRAINT "data_value_provenance_ck" CHECK ("data_value"."provenance" in ('entered','imported','computed','estimated','synthetic')),
	CONSTRAINT "data_value_status_ck" CHECK ("data_value"."status" in ('draft','submitted','approved'))
);
--> statement-breakpoint
CREATE TABLE "data_value_history" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"data_value_id" bigint NOT NULL,
	"version" integer NOT NULL,
	"value" double precision,
	"provenance" text NOT NULL,
	"status" text NOT NULL,
	"comment" text,
	"changed_by" text,
	"archived" boolean DEFAULT false NOT NULL,
	"changed_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "document" (
	"id" serial PRIMARY KEY NOT NULL,
	"code" text NOT NULL,
	"kind" text DEFAULT 'other' NOT NULL,
	"number" text,
	"symbol" text,
	"issued_on" date,
	"issuer" text,
	"title_vi" text NOT NULL,
	"title_en" text,
	"seed" text,
	"url" text,
	"note" text,
	"search_text" text DEFAULT '' NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"archived_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "indicator" (
	"id" serial PRIMARY KEY NOT NULL,
	"code" text NOT NULL,
	"name_vi" text NOT NULL,
	"name_en" text,
	"definition_vi" text,
	"definition_en" text,
	"unit" text DEFAULT '' NOT NULL,
	"value_type" text NOT NULL,
	"direction" text NOT NULL,
	"rollup" text NOT NULL,
	"denominator_id" integer,
	"period_type" text NOT NULL,
	"period_rollup" text DEFAULT 'last' NOT NULL,
	"formula" text,
	"group_code" text,
	"levels" text[] DEFAULT '{}'::text[] NOT NULL,
	"min_value" double precision,
	"max_value" double precision,
	"source_document_id" integer,
	"responsible_unit_id" integer,
	"published" boolean DEFAULT true NOT NULL,
	"search_text" text DEFAULT '' NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"archived_at" timestamp with time zone,
	CONSTRAINT "indicator_value_type_ck" CHECK ("indicator"."value_type" in ('percent','number','integer','rank','boolean')),
	CONSTRAINT "indicator_direction_ck" CHECK ("indicator"."direction" in ('increase','decrease','target')),
	CONSTRAINT "indicator_rollup_ck" CHECK ("indicator"."rollup" in ('sum','mean','weighted_mean','min','max','none')),
	CONSTRAINT "indicator_period_type_ck" CHECK ("indicator"."period_type" in ('year','half','quarter','month')),
	CONSTRAINT "indicator_period_rollup_ck" CHECK ("indicator"."period_rollup" in ('sum','last','mean'))
);
--> statement-breakpoint
CREATE TABLE "indicator_group" (
	"code" text PRIMARY KEY NOT NULL,
	"name_vi" text NOT NULL,
	"name_en" text NOT NULL,
	"sort" smallint DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "org_level" (
	"code" text PRIMARY KEY NOT NULL,
	"name_vi" text NOT NULL,
	"name_en" text NOT NULL,
	"sort" smallint DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "org_lineage" (
	"id" serial PRIMARY KEY NOT NULL,
	"from_unit_id" integer NOT NULL,
	"to_unit_id" integer NOT NULL,
	"effective_date" date NOT NULL,
	"kind" text NOT NULL,
	"partial" boolean DEFAULT false NOT NULL,
	"share" double precision,
	"source" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "org_lineage_kind_ck" CHECK ("org_lineage"."kind" in ('merge','split','rename','transfer'))
);
--> statement-breakpoint
CREATE TABLE "org_unit" (
	"id" serial PRIMARY KEY NOT NULL,
	"code" text NOT NULL,
	"official_code" text,
	"name_vi" text NOT NULL,
	"name_en" text,
	"type" text,
	"level" text NOT NULL,
	"parent_id" integer,
	"path" text DEFAULT '/' NOT NULL,
	"depth" smallint DEFAULT 0 NOT NULL,
	"groups" text[] DEFAULT '{}'::text[] NOT NULL,
	"valid_from" date,
	"valid_to" date,
	"is_coordinator" boolean DEFAULT false NOT NULL,
	"source" text,
	"search_text" text DEFAULT '' NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"archived_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "target" (
	"id" serial PRIMARY KEY NOT NULL,
	"indicator_id" integer NOT NULL,
	"org_unit_id" integer,
	"org_level" text,
	"period" text NOT NULL,
	"period_start" date NOT NULL,
	"comparator" text NOT NULL,
	"value" double precision NOT NULL,
	"value_max" double precision,
	"baseline_period" text,
	"baseline_value" double precision,
	"source_document_id" integer,
	"quote" text,
	"note" text,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"archived_at" timestamp with time zone,
	CONSTRAINT "target_scope_ck" CHECK (("target"."org_unit_id" is null) <> ("target"."org_level" is null)),
	CONSTRAINT "target_comparator_ck" CHECK ("target"."comparator" in ('>=','<=','=','range')),
	CONSTRAINT "target_range_ck" CHECK (("target"."comparator" = 'range') = ("target"."value_max" is not null))
);
--> statement-breakpoint
ALTER TABLE "data_value" ADD CONSTRAINT "data_value_indicator_id_indicator_id_fk" FOREIGN KEY ("indicator_id") REFERENCES "public"."indicator"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "data_value" ADD CONSTRAINT "data_value_org_unit_id_org_unit_id_fk" FOREIGN KEY ("org_unit_id") REFERENCES "public"."org_unit"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "data_value" ADD CONSTRAINT "data_value_source_document_id_document_id_fk" FOREIGN KEY ("source_document_id") REFERENCES "public"."document"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "indicator" ADD CONSTRAINT "indicator_group_code_indicator_group_code_fk" FOREIGN KEY ("group_code") REFERENCES "public"."indicator_group"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "indicator" ADD CONSTRAINT "indicator_source_document_id_document_id_fk" FOREIGN KEY ("source_document_id") REFERENCES "public"."document"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "indicator" ADD CONSTRAINT "indicator_responsible_unit_id_org_unit_id_fk" FOREIGN KEY ("responsible_unit_id") REFERENCES "public"."org_unit"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "org_lineage" ADD CONSTRAINT "org_lineage_from_unit_id_org_unit_id_fk" FOREIGN KEY ("from_unit_id") REFERENCES "public"."org_unit"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "org_lineage" ADD CONSTRAINT "org_lineage_to_unit_id_org_unit_id_fk" FOREIGN KEY ("to_unit_id") REFERENCES "public"."org_unit"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "org_unit" ADD CONSTRAINT "org_unit_level_org_level_code_fk" FOREIGN KEY ("level") REFERENCES "public"."org_level"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "target" ADD CONSTRAINT "target_indicator_id_indicator_id_fk" FOREIGN KEY ("indicator_id") REFERENCES "public"."indicator"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "target" ADD CONSTRAINT "target_org_unit_id_org_unit_id_fk" FOREIGN KEY ("org_unit_id") REFERENCES "public"."org_unit"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "target" ADD CONSTRAINT "target_org_level_org_level_code_fk" FOREIGN KEY ("org_level") REFERENCES "public"."org_level"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "target" ADD CONSTRAINT "target_source_document_id_document_id_fk" FOREIGN KEY ("source_document_id") REFERENCES "public"."document"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "audit_log_seq_uq" ON "audit_log" USING btree ("seq");--> statement-breakpoint
CREATE INDEX "audit_log_entity_idx" ON "audit_log" USING btree ("entity","entity_id");--> statement-breakpoint
CREATE UNIQUE INDEX "data_value_key_uq" ON "data_value" USING btree ("indicator_id","org_unit_id","period","disagg");--> statement-breakpoint
CREATE INDEX "data_value_unit_idx" ON "data_value" USING btree ("org_unit_id","period_start");--> statement-breakpoint
CREATE INDEX "data_value_indicator_period_idx" ON "data_value" USING btree ("indicator_id","period_start");--> statement-breakpoint
CREATE INDEX "data_value_history_value_idx" ON "data_value_history" USING btree ("data_value_id","version");--> statement-breakpoint
CREATE UNIQUE INDEX "document_code_uq" ON "document" USING btree ("code");--> statement-breakpoint
CREATE UNIQUE INDEX "indicator_code_uq" ON "indicator" USING btree ("code");--> statement-breakpoint
CREATE INDEX "indicator_group_idx" ON "indicator" USING btree ("group_code");--> statement-breakpoint
CREATE UNIQUE INDEX "org_lineage_uq" ON "org_lineage" USING btree ("from_unit_id","to_unit_id","effective_date");--> statement-breakpoint
CREATE INDEX "org_lineage_to_idx" ON "org_lineage" USING btree ("to_unit_id");--> statement-breakpoint
CREATE UNIQUE INDEX "org_unit_code_uq" ON "org_unit" USING btree ("code");--> statement-breakpoint
CREATE INDEX "org_unit_parent_idx" ON "org_unit" USING btree ("parent_id");--> statement-breakpoint
CREATE INDEX "org_unit_path_idx" ON "org_unit" USING btree ("path" text_pattern_ops);--> statement-breakpoint
CREATE INDEX "org_unit_level_idx" ON "org_unit" USING btree ("level");--> statement-breakpoint
CREATE INDEX "target_indicator_idx" ON "target" USING btree ("indicator_id","period");