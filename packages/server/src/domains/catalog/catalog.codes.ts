// Enumerations of the catalog as code tables (national practice, 发改高技〔2017〕1272号), extendable by the Center.
export interface CodeDef {
  code: string;
  zh: string;
  en: string;
}

export const CODE_TABLES: Record<string, { zh: string; en: string; extendable: boolean; codes: CodeDef[] }> = {
  category: {
    zh: '资源分类',
    en: 'Category',
    extendable: false,
    codes: [
      { code: 'base', zh: '基础信息资源', en: 'Base' },
      { code: 'topic', zh: '主题信息资源', en: 'Topic' },
      { code: 'department', zh: '部门信息资源', en: 'Department' },
    ],
  },
  base_library: {
    zh: '基础库',
    en: 'Base library',
    extendable: true,
    codes: [
      { code: 'none', zh: '不属于基础库', en: 'None' },
      { code: 'person', zh: '人口（自然人）库', en: 'Natural persons' },
      { code: 'legal', zh: '法人库', en: 'Legal persons' },
      { code: 'house', zh: '房屋库', en: 'Housing' },
      { code: 'geo', zh: '空间地理库', en: 'Spatial geography' },
      { code: 'event', zh: '事部件库', en: 'Events and urban components' },
    ],
  },
  format: {
    zh: '资源格式',
    en: 'Format',
    extendable: true,
    codes: [
      { code: 'table', zh: '数据库表', en: 'Table' },
      { code: 'file', zh: '电子文件', en: 'File' },
      { code: 'api', zh: '接口', en: 'API' },
      { code: 'stream', zh: '流式数据', en: 'Stream' },
      { code: 'media', zh: '图像视频', en: 'Image / video' },
      { code: 'spatial', zh: '空间数据', en: 'Spatial' },
    ],
  },
  update_cycle: {
    zh: '更新周期',
    en: 'Update cycle',
    extendable: true,
    codes: [
      { code: 'realtime', zh: '实时', en: 'Real-time' },
      { code: 'daily', zh: '每日', en: 'Daily' },
      { code: 'weekly', zh: '每周', en: 'Weekly' },
      { code: 'monthly', zh: '每月', en: 'Monthly' },
      { code: 'quarterly', zh: '每季度', en: 'Quarterly' },
      { code: 'half_yearly', zh: '每半年', en: 'Half-yearly' },
      { code: 'yearly', zh: '每年', en: 'Yearly' },
      { code: 'irregular', zh: '不定期', en: 'Irregular' },
    ],
  },
  share_method: {
    zh: '共享方式',
    en: 'Share method',
    extendable: true,
    codes: [
      { code: 'api', zh: '接口共享', en: 'Service API' },
      { code: 'file', zh: '文件下载', en: 'File download' },
      { code: 'db_sync', zh: '库表交换', en: 'Database sync' },
      { code: 'offline_email', zh: '平台外：电子邮件（例外）', en: 'Off-platform: e-mail (exception)' },
      { code: 'offline_media', zh: '平台外：移动介质（例外）', en: 'Off-platform: removable media (exception)' },
    ],
  },
  security_grade: {
    zh: '安全级别（分类分级）',
    en: 'Security grade',
    extendable: true,
    codes: [
      { code: 'L1', zh: '一般数据一级', en: 'General, level 1' },
      { code: 'L2', zh: '一般数据二级', en: 'General, level 2' },
      { code: 'L3', zh: '一般数据三级', en: 'General, level 3' },
      { code: 'L4', zh: '一般数据四级', en: 'General, level 4' },
      { code: 'important', zh: '重要数据', en: 'Important' },
      { code: 'core', zh: '核心数据', en: 'Core' },
    ],
  },
  data_type: {
    zh: '数据类型',
    en: 'Data type',
    extendable: false,
    codes: [
      { code: 'string', zh: '字符型 C', en: 'String (C)' },
      { code: 'integer', zh: '整数型 I', en: 'Integer (I)' },
      { code: 'decimal', zh: '数值型 N', en: 'Decimal (N)' },
      { code: 'date', zh: '日期型 D', en: 'Date (D)' },
      { code: 'datetime', zh: '日期时间型 T', en: 'Date-time (T)' },
      { code: 'boolean', zh: '逻辑型 L', en: 'Boolean (L)' },
      { code: 'geometry', zh: '空间型', en: 'Geometry' },
    ],
  },
  sensitivity: {
    zh: '敏感程度',
    en: 'Sensitivity',
    extendable: false,
    codes: [
      { code: 'none', zh: '不敏感', en: 'None' },
      { code: 'personal', zh: '个人信息', en: 'Personal' },
      { code: 'sensitive_personal', zh: '敏感个人信息', en: 'Sensitive personal' },
      { code: 'trade_secret', zh: '商业秘密', en: 'Trade secret' },
    ],
  },
  pii_kind: {
    zh: '个人信息类别',
    en: 'PII kind',
    extendable: true,
    codes: [
      { code: 'id_card', zh: '身份证号码', en: 'Resident ID number' },
      { code: 'name', zh: '姓名', en: 'Name' },
      { code: 'mobile', zh: '手机号码', en: 'Mobile number' },
      { code: 'phone', zh: '固定电话', en: 'Landline' },
      { code: 'address', zh: '地址', en: 'Address' },
      { code: 'bank_card', zh: '银行卡号', en: 'Bank card' },
      { code: 'email', zh: '电子邮箱', en: 'E-mail' },
      { code: 'plate', zh: '车牌号码', en: 'Licence plate' },
      { code: 'passport', zh: '护照号码', en: 'Passport' },
      { code: 'birth_date', zh: '出生日期', en: 'Birth date' },
      { code: 'uscc', zh: '统一社会信用代码', en: 'Unified social credit code' },
    ],
  },
  masking_rule: {
    zh: '脱敏规则',
    en: 'Masking rule',
    extendable: true,
    codes: [
      { code: 'none', zh: '不脱敏', en: 'None' },
      { code: 'mask', zh: '遮盖', en: 'Mask' },
      { code: 'hash', zh: '哈希假名', en: 'Hash (pseudonym)' },
      { code: 'tokenize', zh: '可逆令牌', en: 'Tokenize' },
      { code: 'generalize', zh: '泛化', en: 'Generalize' },
      { code: 'truncate', zh: '截断', en: 'Truncate' },
      { code: 'suppress', zh: '置空', en: 'Suppress' },
    ],
  },
};

/** Sensitivity a PII kind implies at least (an ID number or bank card is sensitive personal information, PIPL art. 28). */
export const PII_MIN_SENSITIVITY: Record<string, 'personal' | 'sensitive_personal'> = {
  id_card: 'sensitive_personal',
  bank_card: 'sensitive_personal',
  passport: 'sensitive_personal',
};

export const SHARE_ORDER = { unconditional: 0, conditional: 1, none: 2 } as const;
export const SENSITIVITY_ORDER: Record<string, number> = {
  none: 0,
  personal: 1,
  trade_secret: 1,
  sensitive_personal: 2,
};

/** A built-in code's words ({ zh, en }), or the code itself when the table does not have it. */
export function codeWords(table: string, code: string): { zh: string; en: string } {
  const c = CODE_TABLES[table]?.codes.find((x) => x.code === code);
  return { zh: c?.zh ?? code, en: c?.en ?? code };
}
