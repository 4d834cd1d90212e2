-- Accounts are never hard-deleted: users are disabled or archived, grants, sessions and tokens revoked.
CREATE TRIGGER app_user_no_delete BEFORE DELETE ON app_user FOR EACH ROW EXECUTE FUNCTION chiso_no_delete();
--> statement-breakpoint
CREATE TRIGGER role_grant_no_delete BEFORE DELETE ON role_grant FOR EACH ROW EXECUTE FUNCTION chiso_no_delete();
--> statement-breakpoint
CREATE TRIGGER session_no_delete BEFORE DELETE ON session FOR EACH ROW EXECUTE FUNCTION chiso_no_delete();
--> statement-breakpoint
CREATE TRIGGER api_token_no_delete BEFORE DELETE ON api_token FOR EACH ROW EXECUTE FUNCTION chiso_no_delete();
--> statement-breakpoint
CREATE TRIGGER login_attempt_no_delete BEFORE DELETE ON login_attempt FOR EACH ROW EXECUTE FUNCTION chiso_no_delete();
--> statement-breakpoint
CREATE TRIGGER oidc_request_no_delete BEFORE DELETE ON oidc_request FOR EACH ROW EXECUTE FUNCTION chiso_no_delete();
