/**
 * Input and output shapes of reporting rounds, as Zod schemas shared by the use cases, the HTTP
 * validation and the OpenAPI document (the web application is written against them).
 */
import { z } from 'zod';
import { PERIOD_TYPES, zCode, zIsoDate, zPeriodCode } from '../catalogue/schemas.ts';
import { RULE_IMPORTANCE, RULE_OPERATORS } from '../../core/validation.ts';
import { zFormTaskInput, zFormTaskItem, zTaskReportInput } from '../plans/task-reports.ts';

export const SUBMISSION_STATUSES = ['draft', 'submitted', 'returned', 'approved', 'locked'] as const;
export type SubmissionStatus = (typeof SUBMISSION_STATUSES)[number];
export const ROUND_STATUSES = ['open', 'closed'] as const;
export const WINDOW_RULES = ['decree09', 'calendar'] as const;

const zText = (max: number) => z.string().trim().min(1).max(max);
const zTimestamp = z.string().describe('ISO 8601 instant, UTC');

// ---- forms ----

export const zFormSection = z.object({
  code: z.string().regex(/^[A-Za-z0-9._-]{1,40}$/),
  name_vi: zText(300),
  name_en: zText(300),
});

export const zFormItemInput = z.object({
  indicator: zCode,
  required: z.boolean().default(false),
  section: z.string().max(40).nullish(),
});

export const zFormInput = z
  .object({
    code: zCode,
    name_vi: zText(300),
    name_en: zText(300),
    description_vi: z.string().max(4000).nullish(),
    description_en: z.string().max(4000).nullish(),
    period_type: z.enum(PERIOD_TYPES),
    sections: z.array(zFormSection).max(50).default([]),
    /** Indicator items; a form has at least one item, an indicator or a task. */
    items: z.array(zFormItemInput).max(500).default([]),
    /** Task items (kind 'task'), after the indicators: the units that lead or coordinate each report its progress. */
    tasks: z.array(zFormTaskInput).max(200).default([]),
  })
  .strict();
export type FormInput = z.input<typeof zFormInput>;

export const zFormRevision = zFormInput
  .omit({ code: true, period_type: true })
  .partial()
  .extend({
    // No default here: sections not sent stay as they are.
    sections: z.array(zFormSection).max(50).optional(),
    // No defaults here either: items or tasks not sent stay as they are.
    items: z.array(zFormItemInput).max(500).optional(),
    tasks: z.array(zFormTaskInput).max(200).optional(),
    version: z.number().int().describe('The form version the editor last saw'),
  })
  .strict();
export type FormRevision = z.input<typeof zFormRevision>;

export const zFormItem = z.object({
  position: z.number(),
  indicator: z.string(),
  indicator_name_vi: z.string(),
  indicator_name_en: z.string().nullable(),
  unit: z.string(),
  value_type: z.string(),
  required: z.boolean(),
  section: z.string().nullable(),
});

export const zForm = z.object({
  code: z.string(),
  name_vi: z.string(),
  name_en: z.string(),
  description_vi: z.string().nullable(),
  description_en: z.string().nullable(),
  period_type: z.string(),
  version: z.number(),
  sections: z.array(zFormSection),
  items: z.array(zFormItem),
  tasks: z.array(zFormTaskItem),
  created_by: z.string(),
  updated_at: zTimestamp,
  archived: z.boolean(),
});
export type FormOut = z.infer<typeof zForm>;

// ---- validation rules ----

export const zValidationRuleInput = z
  .object({
    code: zCode,
    name_vi: zText(300),
    name_en: zText(300),
    description_vi: z.string().max(4000).nullish(),
    description_en: z.string().max(4000).nullish(),
    left: zText(2000).describe('Formula over indicator codes (src/core/formula.ts), e.g. `A + B`'),
    operator: z.enum(RULE_OPERATORS),
    right: zText(2000),
    importance: z.enum(RULE_IMPORTANCE),
    period_type: z.enum(PERIOD_TYPES),
    form: zCode
      .nullish()
      .describe('Only for this form; otherwise every form that holds one of its indicators'),
  })
  .strict();
export type ValidationRuleInput = z.input<typeof zValidationRuleInput>;

export const zValidationRulePatch = zValidationRuleInput
  .omit({ code: true })
  .partial()
  .extend({ version: z.number().int() })
  .strict();
export type ValidationRulePatch = z.input<typeof zValidationRulePatch>;

export const zValidationRule = z.object({
  code: z.string(),
  name_vi: z.string(),
  name_en: z.string(),
  description_vi: z.string().nullable(),
  description_en: z.string().nullable(),
  left: z.string(),
  operator: z.string(),
  right: z.string(),
  importance: z.string(),
  period_type: z.string(),
  form: z.string().nullable(),
  version: z.number(),
  archived: z.boolean(),
});
export type ValidationRuleOut = z.infer<typeof zValidationRule>;

// ---- rounds ----

export const zRoundInput = z
  .object({
    form: zCode,
    period: zPeriodCode,
    org_unit: zCode.describe('Root of the subtree of units that report'),
    level: zCode.nullish().describe('Only the units of this level in the subtree'),
    window: z.enum(WINDOW_RULES).default('decree09'),
    deadline: zIsoDate.nullish().describe('Last day to submit; default the reporting window’s deadline'),
    opens_at: z.iso.datetime({ offset: true }).nullish().describe('When reporting opens; default now'),
    title_vi: z.string().max(300).nullish(),
    title_en: z.string().max(300).nullish(),
  })
  .strict();
export type RoundInput = z.input<typeof zRoundInput>;

export const zRoundPatch = z
  .object({
    version: z.number().int(),
    deadline: zIsoDate.optional(),
    opens_at: z.iso.datetime({ offset: true }).optional(),
    status: z.enum(ROUND_STATUSES).optional(),
    title_vi: z.string().max(300).nullish(),
    title_en: z.string().max(300).nullish(),
  })
  .strict();
export type RoundPatch = z.input<typeof zRoundPatch>;

export const zStatusCounts = z.object({
  draft: z.number(),
  submitted: z.number(),
  returned: z.number(),
  approved: z.number(),
  locked: z.number(),
  late: z.number(),
  total: z.number(),
});

export const zRound = z.object({
  id: z.number(),
  form: z.string(),
  form_version: z.number(),
  form_name_vi: z.string(),
  form_name_en: z.string(),
  period: z.string(),
  period_label_vi: z.string(),
  period_label_en: z.string(),
  title_vi: z.string().nullable(),
  title_en: z.string().nullable(),
  window_rule: z.string(),
  data_from: z.string(),
  data_to: z.string(),
  cutoff: z.string(),
  deadline: z.string(),
  opens_at: zTimestamp,
  scope_unit: z.string(),
  scope_level: z.string().nullable(),
  status: z.string(),
  version: z.number(),
  created_by: z.string(),
  created_at: zTimestamp,
  closed_at: zTimestamp.nullable(),
  counts: zStatusCounts.describe('Submissions by status, within your scope'),
});
export type RoundOut = z.infer<typeof zRound>;

// ---- submissions ----

export const zSubmission = z.object({
  id: z.number(),
  round_id: z.number(),
  form: z.string(),
  form_version: z.number(),
  period: z.string(),
  org_unit: z.string(),
  org_unit_name_vi: z.string(),
  org_level: z.string(),
  status: z.enum(SUBMISSION_STATUSES),
  version: z.number(),
  late: z.boolean(),
  deadline: z.string(),
  round_status: z.string(),
  submitted_by: z.string().nullable(),
  submitted_at: zTimestamp.nullable(),
  warning_comments: z.record(z.string(), z.string()).nullable(),
  reviewed_by: z.string().nullable(),
  reviewed_at: zTimestamp.nullable(),
  return_comment: z.string().nullable(),
  locked_by: z.string().nullable(),
  locked_at: zTimestamp.nullable(),
  reopened_by: z.string().nullable(),
  reopened_at: zTimestamp.nullable(),
  reopen_reason: z.string().nullable(),
  updated_at: zTimestamp,
});
export type SubmissionOut = z.infer<typeof zSubmission>;

export const zSubmissionValue = z.object({
  position: z.number(),
  section: z.string().nullable(),
  indicator: z.string(),
  name_vi: z.string(),
  name_en: z.string().nullable(),
  unit: z.string(),
  value_type: z.string(),
  required: z.boolean(),
  value: z.number().nullable(),
  value_id: z.number().nullable(),
  version: z.number().describe('Send it back when saving; 0 when there is no value yet'),
  status: z.string().nullable(),
  comment: z.string().nullable(),
  previous: z
    .object({ period: z.string(), value: z.number().nullable() })
    .nullable()
    .describe('The approved value of the previous period'),
  change: z.number().nullable(),
  change_pct: z.number().nullable(),
  attachments: z.number(),
});
export type SubmissionValueOut = z.infer<typeof zSubmissionValue>;

export const zSaveValues = z
  .object({
    values: z
      .array(
        z
          .object({
            indicator: zCode,
            value: z.number().nullable(),
            comment: z.string().max(4000).nullish(),
            version: z
              .number()
              .int()
              .min(0)
              .optional()
              .describe('The value version you last saw (0 or absent: there was none)'),
          })
          .strict(),
      )
      .max(1000)
      .default([]),
    tasks: z
      .array(zTaskReportInput)
      .max(500)
      .default([])
      .describe('Task-progress items (the form’s task items for this unit), saved in the same transaction'),
  })
  .strict()
  .refine((x) => x.values.length + x.tasks.length > 0, { message: 'Send at least one value or task report' });
export type SaveValuesInput = z.input<typeof zSaveValues>;

export const zFinding = z.object({
  key: z.string().describe('Answer a warning by this key in `comments` when submitting'),
  severity: z.enum(['error', 'warning']),
  code: z.string(),
  indicator: z.string().optional(),
  rule: z.string().optional(),
  vi: z.string(),
  en: z.string(),
  details: z.record(z.string(), z.unknown()).optional(),
});
export const zValidationReport = z.object({ errors: z.array(zFinding), warnings: z.array(zFinding) });

export const zSubmitInput = z
  .object({
    version: z.number().int(),
    comments: z
      .record(z.string(), z.string().max(4000))
      .default({})
      .describe('A comment for each warning, by the warning’s key'),
  })
  .strict();
export const zReturnInput = z.object({ version: z.number().int(), comment: zText(4000) }).strict();
export const zApproveInput = z
  .object({ version: z.number().int(), comment: z.string().max(4000).nullish() })
  .strict();
export const zLockInput = z.object({ version: z.number().int() }).strict();
export const zReopenInput = z.object({ version: z.number().int(), reason: zText(4000) }).strict();
export const zApproveManyInput = z
  .object({
    items: z
      .array(z.object({ id: z.number().int().positive(), version: z.number().int() }).strict())
      .min(1)
      .max(500),
    comment: z.string().max(4000).nullish(),
  })
  .strict();

export const zEvent = z.object({
  id: z.number(),
  action: z.string(),
  from_status: z.string().nullable(),
  to_status: z.string(),
  actor: z.string(),
  comment: z.string().nullable(),
  data: z.unknown(),
  at: zTimestamp,
});

// ---- evidence and signatures ----

export const zAttachment = z.object({
  id: z.number(),
  submission_id: z.number(),
  indicator: z.string().nullable(),
  filename: z.string(),
  media_type: z.string(),
  size: z.number(),
  sha256: z.string(),
  uploaded_by: z.string(),
  created_at: zTimestamp,
});
export type AttachmentOut = z.infer<typeof zAttachment>;

export const zSignatureInput = z
  .object({
    signature: z
      .string()
      .min(16)
      .max(2_000_000)
      .describe('The CMS SignedData (detached) over GET /content: base64 DER, or PEM (PKCS7/CMS)'),
  })
  .strict();

export const zSignature = z.object({
  id: z.number(),
  submission_id: z.number(),
  content_sha256: z.string(),
  signer_subject: z.string(),
  signer_serial: z.string(),
  signer_issuer: z.string(),
  signer_not_before: zTimestamp.nullable(),
  signer_not_after: zTimestamp.nullable(),
  signing_time: zTimestamp.nullable(),
  verified_at: zTimestamp,
  result: z.enum(['valid', 'invalid']),
  result_detail: z
    .object({ code: z.string(), vi: z.string(), en: z.string() })
    .nullable()
    .describe('Why the last verification failed'),
  revocation: z
    .enum(['good', 'revoked', 'unknown'])
    .nullable()
    .describe(
      'Revocation (CRL) at the last verification: good, revoked, unknown (no current CRL: accepted with a warning unless CHISO_REVOCATION_UNKNOWN=refuse); null when not checked',
    ),
  revocation_detail: z
    .object({
      code: z.string(),
      vi: z.string(),
      en: z.string(),
      certificates: z.array(
        z.object({
          subject: z.string(),
          serial: z.string(),
          state: z.enum(['good', 'revoked', 'unknown']),
          source: z.string().nullable().describe('The CRL file or URL that answered'),
          revoked_at: z.string().optional(),
          reason: z.string().optional(),
          why: z.string().optional().describe('Why the state is unknown'),
        }),
      ),
    })
    .nullable(),
  uploaded_by: z.string(),
  created_at: zTimestamp,
});
export type SignatureOut = z.infer<typeof zSignature>;

// ---- inboxes, reminders, contacts ----

export const zReporterInboxItem = z.object({
  submission_id: z.number(),
  round_id: z.number(),
  form: z.string(),
  form_name_vi: z.string(),
  form_name_en: z.string(),
  period: z.string(),
  org_unit: z.string(),
  org_unit_name_vi: z.string(),
  status: z.string(),
  version: z.number(),
  deadline: z.string(),
  days_left: z.number().describe('Negative when overdue'),
  category: z.enum(['due', 'overdue', 'returned']),
  return_comment: z.string().nullable(),
});

export const zComparison = z.object({
  indicator: z.string(),
  value: z.number().nullable(),
  previous: z.number().nullable(),
  change_pct: z.number().nullable(),
});

export const zReviewerInboxItem = z.object({
  submission_id: z.number(),
  round_id: z.number(),
  form: z.string(),
  period: z.string(),
  previous_period: z.string(),
  org_unit: z.string(),
  org_unit_name_vi: z.string(),
  org_level: z.string(),
  version: z.number(),
  late: z.boolean(),
  deadline: z.string(),
  submitted_by: z.string().nullable(),
  submitted_at: zTimestamp.nullable(),
  warnings_commented: z.number(),
  comparison: z.array(zComparison),
});

export const zLateItem = z.object({
  submission_id: z.number(),
  round_id: z.number(),
  form: z.string(),
  form_name_vi: z.string(),
  period: z.string(),
  org_unit: z.string(),
  org_unit_name_vi: z.string(),
  status: z.string(),
  deadline: z.string(),
  days_late: z.number(),
  contacts: z.array(z.object({ name: z.string(), email: z.string() })),
  last_reminded_at: zTimestamp.nullable(),
});
export type LateItem = z.infer<typeof zLateItem>;

export const zContactInput = z
  .object({
    org_unit: zCode,
    name: zText(200),
    email: z.email().max(320),
    phone: z.string().max(40).nullish(),
    position: z.string().max(200).nullish(),
  })
  .strict();
export type ContactInput = z.input<typeof zContactInput>;

export const zContact = z.object({
  id: z.number(),
  org_unit: z.string(),
  name: z.string(),
  email: z.string(),
  phone: z.string().nullable(),
  position: z.string().nullable(),
});
