-- DHIS2 identifier mappings are archived (archived_at), never hard-deleted: the history of which
-- identifier meant which code is kept for the imports that used it.
CREATE TRIGGER dhis2_mapping_no_delete BEFORE DELETE ON dhis2_mapping FOR EACH ROW EXECUTE FUNCTION chiso_no_delete();
