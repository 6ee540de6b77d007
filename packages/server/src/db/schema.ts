// Table types for Kysely. Keep in step with db/migrations.
import type { ColumnType, Generated } from 'kysely';

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type DefaultTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null, Date | string | null>;

export const ORG_KINDS = ['center', 'cac', 'town_street', 'bureau', 'institution', 'vertical'] as const;
export type OrgKind = (typeof ORG_KINDS)[number];

export interface OrganisationTable {
  id: string;
  code: string;
  name: string;
  kind: OrgKind;
  uscc: string | null;
  parent_id: string | null;
  contact_name: string | null;
  contact_phone: string | null;
  contact_email: string | null;
  active: Generated<boolean>;
  is_demo: Generated<boolean>;
  created_at: DefaultTimestamp;
  updated_at: DefaultTimestamp;
}

export interface AppUserTable {
  id: string;
  org_id: string;
  username: string;
  display_name: string;
  email: string | null;
  phone: string | null;
  roles: string[];
  password_hash: string;
  must_change_password: Generated<boolean>;
  totp_secret_sealed: string | null;
  totp_enabled: Generated<boolean>;
  totp_last_counter: number | null;
  failed_logins: Generated<number>;
  locked_until: NullableTimestamp;
  active: Generated<boolean>;
  is_demo: Generated<boolean>;
  last_login_at: NullableTimestamp;
  password_changed_at: DefaultTimestamp;
  created_at: DefaultTimestamp;
  updated_at: DefaultTimestamp;
}

export type MfaState = 'complete' | 'totp_pending' | 'enrol_required';

export interface SessionTable {
  id: string; // HMAC of the cookie token
  user_id: string;
  csrf_token: string;
  mfa_state: MfaState;
  created_at: Timestamp;
  last_seen_at: Timestamp;
  expires_at: Timestamp;
  revoked_at: NullableTimestamp;
  client_ip: string | null;
  user_agent: string | null;
}

export interface ApiCredentialTable {
  id: string;
  key_id: string;
  secret_hash: string;
  org_id: string;
  system_name: string;
  description: string | null;
  created_by: string | null;
  created_at: DefaultTimestamp;
  expires_at: NullableTimestamp;
  revoked_at: NullableTimestamp;
  revoked_by: string | null;
  last_used_at: NullableTimestamp;
  last_used_ip: string | null;
}

export interface AuditRecordTable {
  seq: number;
  occurred_at: Date;
  actor_user_id: string | null;
  actor_name: string | null;
  org_id: string | null;
  credential_id: string | null;
  action: string;
  object_type: string | null;
  object_id: string | null;
  outcome: 'success' | 'denied' | 'failure';
  client_ip: string | null;
  request_id: string | null;
  diff: unknown;
  prev_hash: string;
  hash: string;
}

export interface CalendarOverrideTable {
  day: string; // YYYY-MM-DD
  kind: 'workday' | 'restday';
  note: string;
  created_by: string | null;
  created_at: DefaultTimestamp;
}

export interface PolicyVersionTable {
  version: number;
  params: unknown;
  note: string;
  created_by: string | null;
  created_at: DefaultTimestamp;
}

export interface CatalogCodeTable {
  table_key: string;
  code: string;
  zh: string;
  en: string;
  sort: Generated<number>;
  active: Generated<boolean>;
  builtin: Generated<boolean>;
}

export interface InfoSystemTable {
  id: string;
  org_id: string;
  name: string;
  description: string | null;
  active: Generated<boolean>;
  created_at: DefaultTimestamp;
}

export interface ResourceTable {
  id: string;
  code: string;
  org_id: string;
  current_version: number | null;
  working_version: number | null;
  is_demo: Generated<boolean>;
  created_at: DefaultTimestamp;
}

export type VersionStatus = 'draft' | 'submitted' | 'returned' | 'approved' | 'superseded' | 'withdrawn';

export interface ResourceVersionTable {
  resource_id: string;
  version: number;
  kind: 'new' | 'change';
  status: VersionStatus;
  name: string;
  category: string;
  base_library: string;
  system_id: string | null;
  summary: Generated<string>;
  keywords: Generated<string[]>;
  format: string;
  update_cycle: string;
  share_type: 'unconditional' | 'conditional' | 'none';
  share_condition: string | null;
  share_basis: string | null;
  share_methods: Generated<string[]>;
  open_attribute: 'closed' | 'conditional' | 'open';
  open_condition: string | null;
  security_grade: string;
  publish_date: string | null;
  related_codes: Generated<string[]>;
  responsible_person: string | null;
  responsible_phone: string | null;
  change_date: string | null;
  change_reason: string | null;
  policy_version: number;
  filing_due: string | null;
  submitted_at: NullableTimestamp;
  review_due: string | null;
  reviewed_at: NullableTimestamp;
  reviewed_by: string | null;
  review_comment: string | null;
  item_comments: unknown;
  created_by: string | null;
  created_at: DefaultTimestamp;
  updated_at: DefaultTimestamp;
  search_doc: unknown;
  search_text: string | null;
}

export interface ResourceItemTable {
  resource_id: string;
  version: number;
  position: number;
  code: string;
  name: string;
  data_type: string;
  length: number | null;
  precision: number | null;
  required: Generated<boolean>;
  primary_key: Generated<boolean>;
  description: string | null;
  sensitivity: Generated<string>;
  pii_kind: string | null;
  masking_rule: string | null;
  share_type: string | null;
  share_condition: string | null;
  share_basis: string | null;
  source_resource_code: string | null;
  source_item_code: string | null;
  value_set: string[] | null;
}

export interface CatalogEventTable {
  id: Generated<number>;
  resource_id: string;
  version: number;
  at: DefaultTimestamp;
  actor_user_id: string | null;
  actor_name: string | null;
  action: string;
  comment: string | null;
  details: unknown;
}

export interface TopicProjectTable {
  id: string;
  name: string;
  kind: 'topic' | 'special';
  description: string | null;
  lead_org_id: string;
  member_org_ids: Generated<string[]>;
  target_resource_ids: Generated<string[]>;
  created_at: DefaultTimestamp;
}

export interface DemandTable {
  id: string;
  org_id: string;
  title: string;
  data_needed: string;
  purpose: string;
  legal_basis: string;
  holder_org_id: string | null;
  status: 'submitted' | 'matched' | 'topic_approved' | 'rejected';
  review_comment: string | null;
  matched_resource_ids: Generated<string[]>;
  project_id: string | null;
  reviewed_by: string | null;
  reviewed_at: NullableTimestamp;
  created_by: string | null;
  created_at: DefaultTimestamp;
}

export interface SystemPlanTable {
  id: string;
  org_id: string;
  name: string;
  purpose: string;
  collects: Generated<string[]>;
  needs: Generated<string>;
  status: 'submitted' | 'approved' | 'returned';
  review_comment: string | null;
  reviewed_by: string | null;
  reviewed_at: NullableTimestamp;
  created_by: string | null;
  created_at: DefaultTimestamp;
  updated_at: DefaultTimestamp;
}

export interface MaskingProfileTable {
  id: string;
  resource_id: string;
  name: string;
  purpose: 'grant' | 'release' | 'custom';
  rules: unknown;
  status: 'active' | 'pending_approval';
  looser_items: Generated<string[]>;
  created_by: string | null;
  approved_by: string | null;
  created_at: DefaultTimestamp;
}

export interface DB {
  organisation: OrganisationTable;
  app_user: AppUserTable;
  session: SessionTable;
  api_credential: ApiCredentialTable;
  audit_record: AuditRecordTable;
  calendar_override: CalendarOverrideTable;
  policy_version: PolicyVersionTable;
  gongshu_meta: { key: string; value: string };
  catalog_code: CatalogCodeTable;
  info_system: InfoSystemTable;
  resource: ResourceTable;
  resource_version: ResourceVersionTable;
  resource_item: ResourceItemTable;
  catalog_event: CatalogEventTable;
  topic_project: TopicProjectTable;
  demand: DemandTable;
  system_plan: SystemPlanTable;
  masking_profile: MaskingProfileTable;
  data_table: DataTableTable;
  ingest_batch: IngestBatchTable;
  ingest_rejected: IngestRejectedTable;
  pull_source: PullSourceTable;
  source_conflict: SourceConflictTable;
  source_check_run: SourceCheckRunTable;
  rate_limit_counter: { key: string; count: number; window_ends: Date };
  share_application: ShareApplicationTable;
  share_event: ShareEventTable;
  share_attachment: ShareAttachmentTable;
  share_grant: ShareGrantTable;
  share_usage: ShareUsageTable;
  share_export: ShareExportTable;
  share_db_target: ShareDbTargetTable;
  share_db_run: ShareDbRunTable;
  ingest_prior_row: {
    resource_id: string;
    batch_id: string;
    key: string[];
    kind: 'deleted' | 'replaced';
    row: ColumnType<Record<string, unknown>, string, string>;
  };
  notification: NotificationTable;
  notification_read: { notification_id: string; user_id: string; read_at: DefaultTimestamp };
  quality_rule: QualityRuleTable;
  quality_run: QualityRunTable;
  quality_carry: QualityCarryTable;
  quality_score: QualityScoreTable;
  quality_ticket: QualityTicketTable;
  quality_ticket_event: QualityTicketEventTable;
}

export const SHARE_STATUSES = [
  'center_confirm',
  'center_review',
  'returned',
  'owner_consent',
  'profile_confirm',
  'refusal_review',
  'granted',
  'denied',
  'withdrawn',
] as const;
export type ShareStatus = (typeof SHARE_STATUSES)[number];
export const SHARE_PATHS = ['unconditional', 'conditional', 'desensitized'] as const;
export type SharePath = (typeof SHARE_PATHS)[number];
export const SHARE_METHODS = ['api', 'file', 'db_sync'] as const;
export type ShareMethod = (typeof SHARE_METHODS)[number];

/** A legal basis cited by a refusal (§23: no basis, no refusal). */
export interface LegalBasis {
  kind: 'law' | 'regulation' | 'rule' | 'normative';
  name: string;
  article: string;
  reason: string;
}

export interface ShareApplicationTable {
  id: string;
  no: string;
  consumer_org_id: string;
  resource_id: string;
  owner_org_id: string;
  resource_version: number;
  items: string[];
  path: SharePath;
  purpose: string;
  business_process: string;
  scenario: string;
  legal_basis: string | null;
  methods: ShareMethod[];
  valid_until: string;
  system_id: string | null;
  demand_id: string | null;
  status: ShareStatus;
  due_date: string | null;
  step_started_at: DefaultTimestamp;
  policy_version: number;
  commitment_version: number;
  commitment_text: string;
  committed_by: string;
  committed_at: Timestamp;
  masking_profile_id: string | null;
  row_filter: string | null;
  refusal: ColumnType<LegalBasis | null, string | null, string | null>;
  created_by: string;
  created_at: DefaultTimestamp;
  updated_at: DefaultTimestamp;
}

export interface ShareEventTable {
  id: Generated<number>;
  application_id: string;
  at: DefaultTimestamp;
  actor_user_id: string | null;
  actor_name: string | null;
  org_id: string | null;
  action: string;
  from_status: string | null;
  to_status: string | null;
  comment: string | null;
  due_date: string | null;
}

export interface ShareAttachmentTable {
  id: string;
  application_id: string;
  file_name: string;
  content_type: string;
  size: number;
  sm3: string;
  content: Buffer;
  uploaded_by: string;
  uploaded_at: DefaultTimestamp;
}

export interface ShareGrantTable {
  id: string;
  application_id: string;
  consumer_org_id: string;
  owner_org_id: string;
  resource_id: string;
  items: string[];
  row_filter: string | null;
  masking_profile_id: Generated<string>;
  methods: ShareMethod[];
  credential_ids: Generated<string[]>;
  valid_from: string;
  valid_until: string;
  rate_per_minute: number;
  verify_per_minute: number;
  daily_rows: number;
  state: 'active' | 'suspended' | 'revoked';
  state_reason: string | null;
  state_changed_by: string | null;
  state_changed_at: NullableTimestamp;
  secret: string;
  created_at: DefaultTimestamp;
}

export interface ShareUsageTable {
  grant_id: string;
  day: string;
  calls: Generated<number>;
  rows: Generated<number>;
  refused: Generated<number>;
}

export interface DbTargetSettings {
  host: string;
  port?: number;
  database: string;
  user: string;
  table: string;
}

export interface ShareDbTargetTable {
  grant_id: string;
  kind: 'postgres' | 'mysql';
  settings: ColumnType<DbTargetSettings, string, string>;
  secret_enc: string | null;
  interval_minutes: number;
  cursor: ColumnType<Record<string, unknown> | null, string | null, string | null>;
  next_run_at: DefaultTimestamp;
  active: Generated<boolean>;
  updated_by: string | null;
  updated_at: DefaultTimestamp;
}

export interface ShareDbRunTable {
  id: string;
  grant_id: string;
  trigger: 'schedule' | 'manual';
  status: 'running' | 'succeeded' | 'failed';
  upserts: Generated<number>;
  deletes: Generated<number>;
  error: ColumnType<Msg | null, string | null, string | null>;
  started_at: DefaultTimestamp;
  finished_at: NullableTimestamp;
}

/** A column as an export wrote it: its header, and which fingerprint it carries (ADR 0011). */
export interface ExportColumn {
  code: string;
  name: string;
  carrier: 'fill' | 'decimal' | 'hex' | null;
}

export interface ShareExportTable {
  id: string;
  grant_id: string;
  resource_id: string;
  consumer_org_id: string;
  credential_id: string | null;
  system_name: string | null;
  user_id: string | null;
  format: 'csv' | 'xlsx';
  encoding: 'utf-8' | 'gb18030';
  columns: ColumnType<ExportColumn[], string, string>;
  row_filter: string | null;
  /** one value in how many carries the fingerprint (fingerprint.ts markEvery) */
  mark_every: Generated<number>;
  status: 'writing' | 'done' | 'failed';
  rows: Generated<number>;
  started_at: DefaultTimestamp;
  finished_at: NullableTimestamp;
}

export interface DataColumn {
  code: string;
  name: string;
  sqlType: string;
  dataType: string;
  key: boolean;
}

export interface DataTableTable {
  resource_id: string;
  table_name: string;
  version: number;
  columns: ColumnType<DataColumn[], string, string>;
  key_columns: Generated<string[]>;
  archived_tables: Generated<string[]>;
  row_count: Generated<number>;
  last_load_at: Date | null;
  last_batch_id: string | null;
  created_at: DefaultTimestamp;
  migrated_at: Date | null;
}

export type BatchSource = 'push' | 'upload' | 'cli' | 'pull';
export type BatchMode = 'upsert' | 'append' | 'replace';
export type BatchStatus = 'running' | 'succeeded' | 'failed';

export interface IngestBatchTable {
  id: string;
  resource_id: string;
  org_id: string;
  version: number;
  source: BatchSource;
  mode: BatchMode;
  status: BatchStatus;
  phase: string | null;
  file_name: string | null;
  file_format: string | null;
  encoding: string | null;
  header: ColumnType<string[] | null, string | null, string | null>;
  operator_user_id: string | null;
  credential_id: string | null;
  actor_name: string | null;
  pull_source_id: string | null;
  idempotency_key: string | null;
  checksum: string | null;
  bytes: Generated<number>;
  total_bytes: number | null;
  received: Generated<number>;
  accepted: Generated<number>;
  rejected: Generated<number>;
  warnings: ColumnType<Msg[], string | undefined, string>;
  error: ColumnType<Msg | null, string | null, string | null>;
  owner: string | null;
  heartbeat_at: Date | null;
  started_at: DefaultTimestamp;
  finished_at: Date | null;
  /** the order succeeded batches of a resource committed in (sync's change feed) */
  change_seq: number | null;
}

export interface Msg {
  zh: string;
  en: string;
}

export interface IngestRejectedTable {
  batch_id: string;
  /** where the row is: the file's line (CSV, NDJSON), the worksheet's row (XLSX), the entry (JSON, pulls) */
  row_no: number;
  /** which data row it is: 1 for the first after the header (null before migration 2026-12-06) */
  data_row: ColumnType<number | null, number | null | undefined, number | null>;
  raw: ColumnType<unknown[], string, string>;
  errors: ColumnType<{ field: string; zh: string; en: string }[], string, string>;
}

export interface PullSourceTable {
  id: string;
  resource_id: string;
  name: string;
  kind: 'postgres' | 'mysql' | 'http';
  settings: ColumnType<Record<string, unknown>, string, string>;
  secret_enc: string | null;
  mode: BatchMode;
  interval_minutes: number | null;
  active: Generated<boolean>;
  cursor: string | null;
  next_run_at: Date | null;
  last_run_at: Date | null;
  last_status: string | null;
  last_error: ColumnType<Msg | null, string | null, string | null>;
  failures: Generated<number>;
  created_by: string | null;
  created_at: DefaultTimestamp;
}

export interface SourceConflictTable {
  id: Generated<number>;
  run_id: string;
  run_at: DefaultTimestamp;
  resource_id: string;
  org_id: string;
  item_code: string;
  source_resource_id: string;
  source_item_code: string;
  key_value: string;
  value: string | null;
  source_value: string | null;
}

export interface SourceCheckRunTable {
  id: string;
  started_at: DefaultTimestamp;
  finished_at: Date | null;
  pairs: Generated<number>;
  conflicts: Generated<number>;
  actor_name: string | null;
}

export interface NotificationTable {
  id: string;
  org_id: string;
  kind: string;
  object_type: string;
  object_id: string;
  params: ColumnType<Record<string, unknown>, string, string>;
  dedup_key: string | null;
  created_at: DefaultTimestamp;
}

export const QUALITY_KINDS = [
  'completeness',
  'validity',
  'uniqueness',
  'consistency',
  'timeliness',
  'single_source',
] as const;
export type QualityKind = (typeof QUALITY_KINDS)[number];
/** The dimensions a score has: single-source agreement counts under consistency. */
export const QUALITY_DIMENSIONS = ['completeness', 'validity', 'uniqueness', 'consistency', 'timeliness'] as const;
export type QualityDimension = (typeof QUALITY_DIMENSIONS)[number];
export const QUALITY_TRIGGERS = ['batch', 'schedule', 'manual', 'verify'] as const;
export type QualityTrigger = (typeof QUALITY_TRIGGERS)[number];
export const QUALITY_OUTCOMES = ['passed', 'failed', 'not_run'] as const;
export type QualityOutcome = (typeof QUALITY_OUTCOMES)[number];
export const TICKET_STATUSES = [
  'triage',
  'assigned',
  'extension_requested',
  'verifying',
  'closed',
  'rejected',
  'merged',
] as const;
export type TicketStatus = (typeof TICKET_STATUSES)[number];
export const TICKET_CATEGORIES = ['wrong', 'missing', 'outdated', 'duplicate', 'trade_secret', 'privacy'] as const;
export type TicketCategory = (typeof TICKET_CATEGORIES)[number];
export const TICKET_SOURCES = ['consumer', 'center', 'rule', 'api'] as const;
export type TicketSource = (typeof TICKET_SOURCES)[number];

/** What a rule checks, by kind (validated by the quality domain before it is stored). */
export interface QualityRuleParams {
  /** completeness: items must not be null (default), or the table must hold at least minRows rows */
  check?: 'not_null' | 'row_count' | 'validator' | 'value_set' | 'range' | 'pattern' | 'not_future';
  minRows?: number;
  /** validity */
  validator?: 'id_card' | 'uscc' | 'mobile' | 'email';
  values?: string[];
  min?: string | null;
  max?: string | null;
  pattern?: string;
  /** consistency: every value of items exists in refItems of refResourceId */
  refResourceId?: string;
  refItems?: string[];
}

export interface QualityRuleTable {
  id: string;
  resource_id: string;
  org_id: string;
  scope: 'district' | 'unit';
  kind: QualityKind;
  name: string;
  items: string[];
  params: ColumnType<QualityRuleParams, string, string>;
  active: Generated<boolean>;
  suggested: Generated<boolean>;
  created_by: string | null;
  created_at: DefaultTimestamp;
  updated_at: DefaultTimestamp;
}

export interface QualityRunTable {
  id: string;
  rule_id: string;
  resource_id: string;
  org_id: string;
  kind: QualityKind;
  trigger: QualityTrigger;
  batch_id: string | null;
  outcome: QualityOutcome;
  checked: number;
  failing: number;
  score: ColumnType<string | null, number | null, number | null>;
  sample: string[];
  reason: ColumnType<Msg | null, string | null, string | null>;
  duration_ms: number;
  actor_name: string | null;
  started_at: DefaultTimestamp;
}

/** What a row check judged, carried to its rule's next run (migrations 2026-12-07T05-00 and T06-00). */
export interface QualityCarryTable {
  rule_id: string;
  basis: string;
  /** the change_seq of the last batch whose rows it judged (null: only batches from before change_seq) */
  through: ColumnType<string | null, number | null, number | null>;
  checked: ColumnType<string, number, number>;
  failing: ColumnType<string, number, number>;
  sample: string[];
  updated_at: DefaultTimestamp;
}

export interface QualityScoreTable {
  day: string;
  resource_id: string;
  org_id: string;
  dimension: QualityDimension | 'overall';
  score: ColumnType<string, number, number>;
  policy_version: number;
}

export interface QualityTicketTable {
  id: string;
  no: string;
  resource_id: string;
  owner_org_id: string;
  reporter_org_id: string | null;
  reporter_user_id: string | null;
  source: TicketSource;
  rule_id: string | null;
  /** the rule the Center chose to verify a report's rows by */
  verify_rule_id: string | null;
  category: TicketCategory;
  description: string;
  keys: string[];
  items: string[];
  status: TicketStatus;
  due_date: string | null;
  received_on: string | null;
  extension_days: Generated<number>;
  extension_request: ColumnType<{ days: number; reason: string } | null, string | null, string | null>;
  urgent: Generated<boolean>;
  urgent_due: string | null;
  fix: ColumnType<TicketFix | null, string | null, string | null>;
  merged_into: string | null;
  policy_version: number;
  reminded_due: string | null;
  created_at: DefaultTimestamp;
  updated_at: DefaultTimestamp;
  closed_at: NullableTimestamp;
}

/** What the owner says it did: a note, and the batch that corrected the data or that the data was right. */
export interface TicketFix {
  note: string;
  batchId: string | null;
  dataWasRight: boolean;
}

export interface QualityTicketEventTable {
  id: Generated<number>;
  ticket_id: string;
  at: DefaultTimestamp;
  actor_user_id: string | null;
  actor_name: string | null;
  org_id: string | null;
  action: string;
  from_status: string | null;
  to_status: string | null;
  comment: string | null;
  due_date: string | null;
}
