export { MaskingService } from './masking.service.ts';
export { maskingRoutes } from './masking.routes.ts';
export {
  maskValue,
  describeRule,
  scopeKeys,
  scopeHash,
  scopeKeyBytes,
  SQL_FALLBACK,
  keysFromBytes,
  tokenize,
  detokenize,
  RULES,
  RULE_STRENGTH,
  type Rule,
  type Column,
  type ScopeKeys,
  type ScopeKeyBytes,
} from './masking.rules.ts';
export { maskSql } from './masking.repository.ts';
export { suggest, suggestFromName, suggestFromValues } from './masking.detect.ts';
export { defaultProfile, looserItems } from './masking.profile.ts';
export { maskCsv, type CsvProfile } from './masking.stream.ts';
export { csvProfileOf, ProfileUnavailable } from './masking.offline.ts';
export * as maskingPolicy from './masking.policy.ts';
export { maskingLabels } from './masking.labels.ts';
