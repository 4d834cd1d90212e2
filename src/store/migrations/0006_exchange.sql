CREATE TABLE "dhis2_mapping" (
	"id" serial PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"dhis2_id" text NOT NULL,
	"chiso_code" text NOT NULL,
	"note" text,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"archived_at" timestamp with time zone,
	CONSTRAINT "dhis2_mapping_kind_ck" CHECK ("dhis2_mapping"."kind" in ('dataElement','orgUnit','categoryOptionCombo'))
);
--> statement-breakpoint
CREATE UNIQUE INDEX "dhis2_mapping_dhis2_uq" ON "dhis2_mapping" USING btree ("kind","dhis2_id") WHERE "dhis2_mapping"."archived_at" is null;--> statement-breakpoint
CREATE UNIQUE INDEX "dhis2_mapping_chiso_uq" ON "dhis2_mapping" USING btree ("kind","chiso_code") WHERE "dhis2_mapping"."archived_at" is null;