CREATE TABLE "unit_boundary" (
	"id" serial PRIMARY KEY NOT NULL,
	"org_unit_id" integer NOT NULL,
	"geometry" jsonb NOT NULL,
	"min_lon" double precision NOT NULL,
	"min_lat" double precision NOT NULL,
	"max_lon" double precision NOT NULL,
	"max_lat" double precision NOT NULL,
	"source" text NOT NULL,
	"provenance" text DEFAULT 'imported' NOT NULL,
	"file" text,
	"valid_from" date,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"archived_at" timestamp with time zone,
	CONSTRAINT "unit_boundary_provenance_ck" CHECK ("unit_boundary"."provenance" in ('imported','synthetic')),
	CONSTRAINT "unit_boundary_bbox_ck" CHECK ("unit_boundary"."min_lon" <= "unit_boundary"."max_lon" and "unit_boundary"."min_lat" <= "unit_boundary"."max_lat" and "unit_boundary"."min_lon" >= -180 and "unit_boundary"."max_lon" <= 180 and "unit_boundary"."min_lat" >= -90 and "unit_boundary"."max_lat" <= 90)
);
--> statement-breakpoint
ALTER TABLE "unit_boundary" ADD CONSTRAINT "unit_boundary_org_unit_id_org_unit_id_fk" FOREIGN KEY ("org_unit_id") REFERENCES "public"."org_unit"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "unit_boundary_current_uq" ON "unit_boundary" USING btree ("org_unit_id") WHERE "unit_boundary"."archived_at" is null;--> statement-breakpoint
CREATE INDEX "unit_boundary_unit_idx" ON "unit_boundary" USING btree ("org_unit_id");