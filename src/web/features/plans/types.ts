/** Shapes of the plans API (GET /api/plans, /api/plans/:code). */

export interface Assignee {
  code: string;
  kind: string;
  name_vi: string;
  name_en: string | null;
}

export interface PlanTask {
  id: number;
  number: string;
  depth: number;
  is_leaf: boolean;
  title_vi: string;
  title_en: string | null;
  lead: Assignee | null;
  coordinating: Assignee[];
  deadline: { kind: string; label_vi: string; label_en: string };
  output_vi: string | null;
  output_en: string | null;
  status: string;
  status_label_vi: string;
  status_label_en: string;
  percent: number | null;
  children: PlanTask[];
}

export interface Plan {
  code: string;
  title_vi: string;
  title_en: string | null;
  issuer: string | null;
  issued_on: string | null;
  status: string;
  status_counts?: Record<string, number>;
}

export interface PlanDetail extends Plan {
  tasks: PlanTask[];
  status_counts: Record<string, number>;
}

/** Task statuses in the badge colours of the interface. */
export const TASK_STYLE: Record<string, string> = {
  done: 'achieved',
  done_late: 'achieved',
  on_track: 'on_track',
  in_progress: 'on_track',
  at_risk: 'at_risk',
  overdue: 'off_track',
  not_started: 'not_assessed',
  no_deadline: 'not_assessed',
};
