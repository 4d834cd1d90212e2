CREATE TABLE "computed_value" (
	"indicator_id" integer NOT NULL,
	"org_unit_id" integer NOT NULL,
	"period" text NOT NULL,
	"period_start" date NOT NULL,
	"value" double precision,
	"provenance" text DEFAULT 'computed' NOT NULL,
	"method" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "computed_value_pk" PRIMARY KEY("indicator_id","org_unit_id","period"),
	CONSTRAINT "computed_value_provenance_ck" CHECK ("computed_value"."provenance" = 'computed'),
	CONSTRAINT "computed_value_method_ck" CHECK ("computed_value"."method" in ('rollup','lineage','formula','period'))
);
--> statement-breakpoint
CREATE TABLE "engine_change" (
	"seq" bigint PRIMARY KEY NOT NULL,
	"change_id" text NOT NULL,
	"xid" text NOT NULL,
	"indicator_ids" integer[] NOT NULL,
	"org_unit_ids" integer[] NOT NULL,
	"periods" text[] NOT NULL,
	"persisted" boolean NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "engine_state" (
	"id" smallint PRIMARY KEY NOT NULL,
	"engine_version" text NOT NULL,
	"profile" text NOT NULL,
	"change_seq" bigint NOT NULL,
	"audit_seq" bigint NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "index_methodology" (
	"id" serial PRIMARY KEY NOT NULL,
	"code" text NOT NULL,
	"version" text NOT NULL,
	"name_vi" text NOT NULL,
	"name_en" text NOT NULL,
	"valid_from" integer NOT NULL,
	"valid_to" integer,
	"definition" jsonb NOT NULL,
	"sensitivity" jsonb NOT NULL,
	"source_document_id" integer,
	"created_by" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"archived_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "index_result" (
	"methodology_id" integer NOT NULL,
	"period" text NOT NULL,
	"org_unit_id" integer NOT NULL,
	"node" text NOT NULL,
	"raw" double precision,
	"score" double precision,
	"rank" integer,
	"band" text,
	"previous_rank" integer,
	"rank_change" integer,
	"sensitivity_median" double precision,
	"sensitivity_q5" double precision,
	"sensitivity_q95" double precision,
	"strengths" jsonb,
	"weaknesses" jsonb,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"archived_at" timestamp with time zone,
	CONSTRAINT "index_result_pk" PRIMARY KEY("methodology_id","period","org_unit_id","node")
);
--> statement-breakpoint
CREATE TABLE "progress_status" (
	"indicator_id" integer NOT NULL,
	"org_unit_id" integer NOT NULL,
	"target_id" integer NOT NULL,
	"period" text NOT NULL,
	"period_start" date NOT NULL,
	"target_scope" text NOT NULL,
	"is_primary" boolean NOT NULL,
	"profile" text NOT NULL,
	"status" text NOT NULL,
	"score" double precision,
	"attainment" double precision,
	"ratio" double precision,
	"measure" text,
	"cagr_actual" double precision,
	"cagr_required" double precision,
	"projection_value" double precision,
	"latest_value" double precision,
	"latest_period" text,
	"base_value" double precision,
	"base_period" text,
	"comparator" text NOT NULL,
	"target_value" double precision NOT NULL,
	"target_max" double precision,
	"baseline_value" double precision,
	"source_document_id" integer,
	"trend" text,
	"reason_code" text NOT NULL,
	"conflicts" smallint DEFAULT 0 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"archived_at" timestamp with time zone,
	CONSTRAINT "progress_status_pk" PRIMARY KEY("indicator_id","org_unit_id","target_id")
);
--> statement-breakpoint
ALTER TABLE "computed_value" ADD CONSTRAINT "computed_value_indicator_id_indicator_id_fk" FOREIGN KEY ("indicator_id") REFERENCES "public"."indicator"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "computed_value" ADD CONSTRAINT "computed_value_org_unit_id_org_unit_id_fk" FOREIGN KEY ("org_unit_id") REFERENCES "public"."org_unit"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "index_methodology" ADD CONSTRAINT "index_methodology_source_document_id_document_id_fk" FOREIGN KEY ("source_document_id") REFERENCES "public"."document"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "index_result" ADD CONSTRAINT "index_result_methodology_id_index_methodology_id_fk" FOREIGN KEY ("methodology_id") REFERENCES "public"."index_methodology"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "index_result" ADD CONSTRAINT "index_result_org_unit_id_org_unit_id_fk" FOREIGN KEY ("org_unit_id") REFERENCES "public"."org_unit"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "progress_status" ADD CONSTRAINT "progress_status_indicator_id_indicator_id_fk" FOREIGN KEY ("indicator_id") REFERENCES "public"."indicator"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "progress_status" ADD CONSTRAINT "progress_status_org_unit_id_org_unit_id_fk" FOREIGN KEY ("org_unit_id") REFERENCES "public"."org_unit"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "progress_status" ADD CONSTRAINT "progress_status_source_document_id_document_id_fk" FOREIGN KEY ("source_document_id") REFERENCES "public"."document"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "computed_value_unit_idx" ON "computed_value" USING btree ("org_unit_id","period_start");--> statement-breakpoint
CREATE INDEX "computed_value_indicator_idx" ON "computed_value" USING btree ("indicator_id","period_start");--> statement-breakpoint
CREATE UNIQUE INDEX "index_methodology_code_version_uq" ON "index_methodology" USING btree ("code","version");--> statement-breakpoint
CREATE INDEX "index_result_rank_idx" ON "index_result" USING btree ("methodology_id","period","node","rank");--> statement-breakpoint
CREATE INDEX "index_result_unit_idx" ON "index_result" USING btree ("org_unit_id");--> statement-breakpoint
CREATE INDEX "progress_status_period_idx" ON "progress_status" USING btree ("period_start","indicator_id");--> statement-breakpoint
CREATE INDEX "progress_status_unit_idx" ON "progress_status" USING btree ("org_unit_id","period_start");--> statement-breakpoint
CREATE INDEX "progress_status_status_idx" ON "progress_status" USING btree ("status");