/** Shapes of the administration APIs (src/app/rounds/schemas.ts, src/app/auth/schemas.ts, the engine). */

export interface StatusCounts {
  draft: number;
  submitted: number;
  returned: number;
  approved: number;
  locked: number;
  late: number;
  total: number;
}

export interface Round {
  id: number;
  form: string;
  form_version: number;
  form_name_vi: string;
  form_name_en: string;
  period: string;
  period_label_vi: string;
  period_label_en: string;
  title_vi: string | null;
  title_en: string | null;
  window_rule: string;
  data_from: string;
  data_to: string;
  cutoff: string;
  deadline: string;
  opens_at: string;
  scope_unit: string;
  scope_level: string | null;
  status: string;
  version: number;
  created_by: string;
  created_at: string;
  closed_at: string | null;
  counts: StatusCounts;
}

export interface FormSection {
  code: string;
  name_vi: string;
  name_en: string;
}

export interface FormItem {
  position: number;
  indicator: string;
  indicator_name_vi: string;
  indicator_name_en: string | null;
  unit: string;
  value_type: string;
  required: boolean;
  section: string | null;
}

export interface FormSummary {
  code: string;
  name_vi: string;
  name_en: string;
  description_vi: string | null;
  description_en: string | null;
  period_type: string;
  version: number;
  sections: FormSection[];
  items_count: number;
  archived: boolean;
}

/** A task item of a form: the unit's progress on a task of a plan (issue 6). */
export interface FormTaskItem {
  position: number;
  task_id: number;
  plan: string;
  number: string;
  title_vi: string;
  title_en: string | null;
  required: boolean;
  section: string | null;
}

export interface FormFull extends Omit<FormSummary, 'items_count'> {
  items: FormItem[];
  tasks?: FormTaskItem[];
}

export interface ValidationRule {
  code: string;
  name_vi: string;
  name_en: string;
  description_vi: string | null;
  description_en: string | null;
  left: string;
  operator: string;
  right: string;
  importance: string;
  period_type: string;
  form: string | null;
  version: number;
  archived: boolean;
}

export interface LateItem {
  submission_id: number;
  org_unit: string;
  org_unit_name_vi: string;
  status: string;
  deadline: string;
  days_late: number;
  contacts: Array<{ name: string; email: string }>;
  last_reminded_at: string | null;
}

export interface ReminderResult {
  sent: Array<{ submission_id: number; org_unit: string; to: string[]; rejected: string[] }>;
  failed: Array<{ submission_id: number; org_unit: string; error: string }>;
  no_contact: Array<{ submission_id: number; org_unit: string }>;
}

export type RoleName = 'admin' | 'reviewer' | 'reporter' | 'viewer';
export const ROLES: RoleName[] = ['admin', 'reviewer', 'reporter', 'viewer'];

export interface UserGrant {
  id: number;
  role: RoleName;
  org_unit: string | null;
  org_unit_name_vi: string | null;
  path: string;
  created_at: string;
}

export interface User {
  id: number;
  username: string;
  display_name: string;
  email: string | null;
  disabled: boolean;
  locked: boolean;
  locked_until: string | null;
  has_password: boolean;
  sso: boolean;
  last_login_at: string | null;
  created_at: string;
  grants: UserGrant[];
}

export interface UserDetail extends User {
  grant_history: Array<{
    id: number;
    role: RoleName;
    org_unit: string | null;
    created_at: string;
    revoked_at: string | null;
  }>;
}

export interface ApiToken {
  id: number;
  name: string;
  prefix: string;
  username: string;
  created_at: string;
  last_used_at: string | null;
  expires_at: string | null;
  revoked_at: string | null;
}

export interface IndexEdge {
  code: string;
  weight?: number;
}

export interface IndexNode {
  code: string;
  name_vi: string;
  name_en: string;
  indicator?: string;
  children?: IndexEdge[];
  direction?: 'higher' | 'lower';
  normalisation?: { kind: string; [k: string]: unknown };
  aggregation?: { kind: string; [k: string]: unknown };
  max_points?: number;
  [k: string]: unknown;
}

export interface IndexDefinition {
  code: string;
  version: string;
  name_vi: string;
  name_en: string;
  valid_from: number;
  valid_to: number | null;
  root: string;
  views?: string[];
  nodes: IndexNode[];
  levels?: string[];
  [k: string]: unknown;
}

export interface MethodologySummary {
  id: number;
  code: string;
  version: string;
  name_vi: string;
  name_en: string;
  valid_from: number;
  valid_to: number | null;
  root: string;
  views: string[];
  indicators: string[];
  levels: string[];
  years: number[];
}

export interface MethodologyFull extends MethodologySummary {
  nodes: number;
  source_document: string | null;
  created_by: string | null;
  created_at: string;
  definition: IndexDefinition;
}
