// How the catalog presents a resource version and its items, turns a version back into a draft's input, and
// tells two versions apart (pure functions, shared by the catalog's services and its spreadsheets).
import type { DueStatus } from '../calendar/index.ts';
import type * as repo from './catalog.repository.ts';
import type { ItemInput, ResourceInput } from './catalog.schemas.ts';

export const VERSION_FIELDS = [
  'name',
  'category',
  'baseLibrary',
  'systemId',
  'summary',
  'keywords',
  'format',
  'updateCycle',
  'shareType',
  'shareCondition',
  'shareBasis',
  'shareMethods',
  'openAttribute',
  'openCondition',
  'securityGrade',
  'publishDate',
  'relatedCodes',
  'responsiblePerson',
  'responsiblePhone',
] as const;
export const ITEM_FIELDS = [
  'name',
  'dataType',
  'length',
  'precision',
  'required',
  'primaryKey',
  'description',
  'sensitivity',
  'piiKind',
  'maskingRule',
  'shareType',
  'shareCondition',
  'shareBasis',
  'sourceResourceCode',
  'sourceItemCode',
  'valueSet',
  'position',
] as const;

export function presentItem(i: repo.ItemRow) {
  return {
    position: i.position,
    code: i.code,
    name: i.name,
    dataType: i.data_type,
    length: i.length,
    precision: i.precision,
    required: i.required,
    primaryKey: i.primary_key,
    description: i.description,
    sensitivity: i.sensitivity,
    piiKind: i.pii_kind,
    maskingRule: i.masking_rule,
    // checked against the share types when stored
    shareType: i.share_type as 'unconditional' | 'conditional' | 'none' | null,
    shareCondition: i.share_condition,
    shareBasis: i.share_basis,
    sourceResourceCode: i.source_resource_code,
    sourceItemCode: i.source_item_code,
    valueSet: i.value_set ?? [],
  };
}
export type PresentedItem = ReturnType<typeof presentItem>;

export function presentVersion(
  res: { id: string; code: string; org_id: string },
  v: repo.VersionRow,
  items: repo.ItemRow[],
  due: DueStatus | null,
) {
  return {
    resourceId: res.id,
    code: res.code,
    orgId: res.org_id,
    version: v.version,
    kind: v.kind,
    status: v.status,
    name: v.name,
    category: v.category,
    baseLibrary: v.base_library,
    systemId: v.system_id,
    summary: v.summary,
    keywords: v.keywords,
    format: v.format,
    updateCycle: v.update_cycle,
    shareType: v.share_type,
    shareCondition: v.share_condition,
    shareBasis: v.share_basis,
    shareMethods: v.share_methods,
    openAttribute: v.open_attribute,
    openCondition: v.open_condition,
    securityGrade: v.security_grade,
    publishDate: v.publish_date,
    relatedCodes: v.related_codes,
    responsiblePerson: v.responsible_person,
    responsiblePhone: v.responsible_phone,
    changeDate: v.change_date,
    changeReason: v.change_reason,
    policyVersion: v.policy_version,
    filingDue: v.filing_due,
    submittedAt: v.submitted_at?.toISOString() ?? null,
    reviewDue: v.review_due,
    reviewedAt: v.reviewed_at?.toISOString() ?? null,
    reviewComment: v.review_comment,
    itemComments: (v.item_comments ?? {}) as Record<string, string>,
    createdAt: v.created_at.toISOString(),
    updatedAt: v.updated_at.toISOString(),
    due,
    items: items.map(presentItem),
  };
}
export type PresentedVersion = ReturnType<typeof presentVersion>;

export function versionColumns(input: ResourceInput) {
  return {
    name: input.name.trim(),
    category: input.category,
    base_library: input.baseLibrary,
    system_id: input.systemId ?? null,
    summary: input.summary ?? '',
    keywords: input.keywords ?? [],
    format: input.format,
    update_cycle: input.updateCycle,
    share_type: input.shareType,
    share_condition: input.shareCondition ?? null,
    share_basis: input.shareBasis ?? null,
    share_methods: input.shareMethods ?? [],
    open_attribute: input.openAttribute,
    open_condition: input.openCondition ?? null,
    security_grade: input.securityGrade,
    publish_date: input.publishDate ?? null,
    related_codes: input.relatedCodes ?? [],
    responsible_person: input.responsiblePerson ?? null,
    responsible_phone: input.responsiblePhone ?? null,
  };
}

export function itemRows(id: string, version: number, items: ItemInput[]) {
  return items.map((it, position) => ({
    resource_id: id,
    version,
    position,
    code: it.code,
    name: it.name.trim(),
    data_type: it.dataType,
    length: it.length ?? null,
    precision: it.precision ?? null,
    required: it.required ?? false,
    primary_key: it.primaryKey ?? false,
    description: it.description ?? null,
    sensitivity: it.sensitivity ?? 'none',
    pii_kind: it.piiKind ?? null,
    masking_rule: it.maskingRule ?? null,
    share_type: it.shareType ?? null,
    share_condition: it.shareCondition ?? null,
    share_basis: it.shareBasis ?? null,
    source_resource_code: it.sourceResourceCode ?? null,
    source_item_code: it.sourceItemCode ?? null,
    value_set: it.valueSet?.length ? it.valueSet.map((x) => x.trim()) : null,
  }));
}

/** The stored version as an input again (to re-validate on submit, or to copy into a change). */
export function asInput(p: PresentedVersion): ResourceInput {
  const { items, ...v } = p;
  return {
    name: v.name,
    category: v.category,
    baseLibrary: v.baseLibrary,
    systemId: v.systemId,
    summary: v.summary,
    keywords: v.keywords,
    format: v.format,
    updateCycle: v.updateCycle,
    shareType: v.shareType,
    shareCondition: v.shareCondition,
    shareBasis: v.shareBasis,
    shareMethods: v.shareMethods,
    openAttribute: v.openAttribute,
    openCondition: v.openCondition,
    securityGrade: v.securityGrade,
    publishDate: v.publishDate,
    relatedCodes: v.relatedCodes,
    responsiblePerson: v.responsiblePerson,
    responsiblePhone: v.responsiblePhone,
    items: items.map(({ position: _p, ...i }) => ({ ...i, shareType: i.shareType as ItemInput['shareType'] })),
  };
}

// ---------------------------------------------------------------- diffs

export interface VersionDiff {
  fields: { field: string; before: unknown; after: unknown }[];
  items: {
    code: string;
    change: 'added' | 'removed' | 'changed';
    fields: { field: string; before: unknown; after: unknown }[];
  }[];
}

export function diffVersions(a: PresentedVersion, b: PresentedVersion): VersionDiff {
  const same = (x: unknown, y: unknown) => JSON.stringify(x ?? null) === JSON.stringify(y ?? null);
  const fields = VERSION_FIELDS.filter((f) => !same(a[f], b[f])).map((f) => ({ field: f, before: a[f], after: b[f] }));
  const ai = new Map(a.items.map((i) => [i.code, i]));
  const bi = new Map(b.items.map((i) => [i.code, i]));
  const items: VersionDiff['items'] = [];
  for (const [code, x] of ai) {
    const y = bi.get(code);
    if (!y) items.push({ code, change: 'removed', fields: [] });
    else {
      const changed = ITEM_FIELDS.filter((f) => !same(x[f], y[f])).map((f) => ({
        field: f,
        before: x[f],
        after: y[f],
      }));
      if (changed.length) items.push({ code, change: 'changed', fields: changed });
    }
  }
  for (const code of bi.keys()) if (!ai.has(code)) items.push({ code, change: 'added', fields: [] });
  return { fields, items };
}

export function compactDiff(d: VersionDiff) {
  return {
    ...Object.fromEntries(d.fields.map((f) => [f.field, [f.before, f.after]])),
    ...(d.items.length
      ? {
          items: d.items.map(
            (i) => `${i.change}:${i.code}${i.fields.length ? '(' + i.fields.map((f) => f.field).join(',') + ')' : ''}`,
          ),
        }
      : {}),
  };
}
