-- Unit boundaries are archived (archived_at) when a new geometry is imported, never hard-deleted:
-- which polygon a map used at a given time stays known.
CREATE TRIGGER unit_boundary_no_delete BEFORE DELETE ON unit_boundary FOR EACH ROW EXECUTE FUNCTION chiso_no_delete();
