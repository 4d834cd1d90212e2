ALTER TABLE "task_assignment" ADD COLUMN "archived_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "task_indicator" ADD COLUMN "archived_at" timestamp with time zone;