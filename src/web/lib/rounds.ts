/** Shapes of the reporting-rounds API (src/app/rounds/schemas.ts), as the workspace uses them. */

export type SubmissionStatus = 'draft' | 'submitted' | 'returned' | 'approved' | 'locked';

export interface Submission {
  id: number;
  round_id: number;
  form: string;
  form_version: number;
  period: string;
  org_unit: string;
  org_unit_name_vi: string;
  org_level: string;
  status: SubmissionStatus;
  version: number;
  late: boolean;
  deadline: string;
  round_status: string;
  submitted_by: string | null;
  submitted_at: string | null;
  warning_comments: Record<string, string> | null;
  reviewed_by: string | null;
  reviewed_at: string | null;
  return_comment: string | null;
  updated_at: string;
}

export interface SubmissionItem {
  position: number;
  section: string | null;
  indicator: string;
  name_vi: string;
  name_en: string | null;
  unit: string;
  value_type: string;
  required: boolean;
  value: number | null;
  value_id: number | null;
  version: number;
  status: string | null;
  comment: string | null;
  previous: { period: string; value: number | null } | null;
  change: number | null;
  change_pct: number | null;
  attachments: number;
}

export interface Finding {
  key: string;
  severity: 'error' | 'warning';
  code: string;
  indicator?: string;
  rule?: string;
  vi: string;
  en: string;
}

export interface ValidationReport {
  errors: Finding[];
  warnings: Finding[];
}

export interface ReporterInboxItem {
  submission_id: number;
  round_id: number;
  form: string;
  form_name_vi: string;
  form_name_en: string;
  period: string;
  org_unit: string;
  org_unit_name_vi: string;
  status: string;
  version: number;
  deadline: string;
  days_left: number;
  category: 'due' | 'overdue' | 'returned';
  return_comment: string | null;
}

export interface ReviewerInboxItem {
  submission_id: number;
  round_id: number;
  form: string;
  period: string;
  previous_period: string;
  org_unit: string;
  org_unit_name_vi: string;
  org_level: string;
  version: number;
  late: boolean;
  deadline: string;
  submitted_by: string | null;
  submitted_at: string | null;
  warnings_commented: number;
  comparison: Array<{
    indicator: string;
    value: number | null;
    previous: number | null;
    change_pct: number | null;
  }>;
}

export interface Attachment {
  id: number;
  submission_id: number;
  indicator: string | null;
  filename: string;
  media_type: string;
  size: number;
  created_at: string;
}

export interface SubmissionEvent {
  id: number;
  action: string;
  from_status: string | null;
  to_status: string;
  actor: string;
  comment: string | null;
  at: string;
}

export const editable = (s: Pick<Submission, 'status' | 'round_status'>) =>
  (s.status === 'draft' || s.status === 'returned') && s.round_status === 'open';
