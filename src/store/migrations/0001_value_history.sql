-- Data values keep their full history: before a value row changes, its previous version is copied
-- to data_value_history. The current version is the row itself, so inserts cost nothing extra.
CREATE OR REPLACE FUNCTION chiso_value_history() RETURNS trigger AS $$
BEGIN
  INSERT INTO data_value_history (data_value_id, version, value, provenance, status, comment, changed_by, archived, changed_at)
  VALUES (OLD.id, OLD.version, OLD.value, OLD.provenance, OLD.status, OLD.comment, OLD.changed_by, OLD.archived_at IS NOT NULL, OLD.updated_at);
  RETURN NEW;
END $$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER data_value_history_trg AFTER UPDATE ON data_value
  FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*) EXECUTE FUNCTION chiso_value_history();
--> statement-breakpoint
-- Nothing is hard-deleted: deleting rows from these tables is refused.
CREATE OR REPLACE FUNCTION chiso_no_delete() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'rows of % are never deleted; archive them instead', TG_TABLE_NAME USING ERRCODE = 'restrict_violation';
END $$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER data_value_no_delete BEFORE DELETE ON data_value FOR EACH ROW EXECUTE FUNCTION chiso_no_delete();
--> statement-breakpoint
CREATE TRIGGER data_value_history_no_delete BEFORE DELETE ON data_value_history FOR EACH ROW EXECUTE FUNCTION chiso_no_delete();
--> statement-breakpoint
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log FOR EACH ROW EXECUTE FUNCTION chiso_no_delete();
--> statement-breakpoint
CREATE TRIGGER target_no_delete BEFORE DELETE ON target FOR EACH ROW EXECUTE FUNCTION chiso_no_delete();
--> statement-breakpoint
CREATE TRIGGER indicator_no_delete BEFORE DELETE ON indicator FOR EACH ROW EXECUTE FUNCTION chiso_no_delete();
--> statement-breakpoint
CREATE TRIGGER org_unit_no_delete BEFORE DELETE ON org_unit FOR EACH ROW EXECUTE FUNCTION chiso_no_delete();
