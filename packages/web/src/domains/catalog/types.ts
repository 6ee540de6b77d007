export interface Item {
  position?: number;
  code: string;
  name: string;
  dataType: string;
  length?: number | null;
  precision?: number | null;
  required?: boolean;
  primaryKey?: boolean;
  description?: string | null;
  sensitivity?: string;
  piiKind?: string | null;
  maskingRule?: string | null;
  shareType?: string | null;
  shareCondition?: string | null;
  shareBasis?: string | null;
  sourceResourceCode?: string | null;
  sourceItemCode?: string | null;
  valueSet?: string[];
}
export interface ResourceFields {
  name: string;
  category: string;
  baseLibrary: string;
  systemId?: string | null;
  summary?: string;
  keywords?: string[];
  format: string;
  updateCycle: string;
  shareType: string;
  shareCondition?: string | null;
  shareBasis?: string | null;
  shareMethods?: string[];
  openAttribute: string;
  openCondition?: string | null;
  securityGrade: string;
  publishDate?: string | null;
  relatedCodes?: string[];
  responsiblePerson?: string | null;
  responsiblePhone?: string | null;
  items: Item[];
}
export interface Due {
  due: string;
  state: string;
  daysLeft: number;
  daysOverdue: number;
}
export interface Version extends ResourceFields {
  resourceId: string;
  code: string;
  orgId: string;
  version: number;
  kind: 'new' | 'change';
  status: string;
  changeDate: string | null;
  changeReason: string | null;
  policyVersion: number;
  filingDue: string | null;
  submittedAt: string | null;
  reviewDue: string | null;
  reviewComment: string | null;
  itemComments: Record<string, string>;
  due: Due | null;
  updatedAt: string;
}
export interface ResourceView {
  id: string;
  code: string;
  orgId: string;
  current: Version | null;
  working: Version | null;
}
