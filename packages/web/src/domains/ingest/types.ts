// Shapes of the ingest API's replies (see /api/openapi.json, tag "ingest").
export type Freshness = 'fresh' | 'due' | 'overdue' | 'never' | 'irregular' | 'no_table';
export interface Msg {
  zh: string;
  en: string;
}

export interface DataInfo {
  id: string;
  code: string;
  name: string;
  orgId: string;
  version: number;
  updateCycle: string;
  tabular: boolean;
  table: string | null;
  tableVersion: number | null;
  archivedTables: string[];
  rowCount: number | null;
  lastLoadAt: string | null;
  keyColumns: string[];
  items: { code: string; name: string; dataType: string; primaryKey: boolean; piiKind: string | null }[];
  mayLoad: boolean;
  rawAllowed: boolean;
  freshness: Freshness;
  dueDate: string | null;
}

export interface Batch {
  id: string;
  resourceId: string;
  source: 'push' | 'upload' | 'cli' | 'pull';
  mode: 'upsert' | 'append' | 'replace';
  status: 'running' | 'succeeded' | 'failed';
  phase: string | null;
  fileName: string | null;
  encoding: string | null;
  actorName: string | null;
  checksum: string | null;
  bytes: number;
  totalBytes: number | null;
  received: number;
  accepted: number;
  rejected: number;
  warnings: Msg[];
  error: Msg | null;
  startedAt: string;
  finishedAt: string | null;
  rejectedSample: { rowNo: number; raw: unknown[]; errors: (Msg & { field: string })[] }[];
}

export interface BrowsePage {
  columns: { code: string; name: string; dataType: string; primaryKey: boolean; masked: boolean }[];
  rows: Record<string, unknown>[];
  total: number;
  page: number;
  pageSize: number;
  raw: boolean;
  rawAllowed: boolean;
}

export interface OverviewRow {
  id: string;
  code: string;
  name: string;
  orgId: string;
  orgName: string;
  updateCycle: string;
  table: string | null;
  rowCount: number | null;
  lastLoadAt: string | null;
  freshness: Freshness;
  dueDate: string | null;
}
