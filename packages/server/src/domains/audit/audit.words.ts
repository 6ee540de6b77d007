// The audit trail's vocabulary in words, zh-CN and en: every action the code base writes (writeAudit takes only
// these: the compiler keeps the table complete, and audit.words.test.ts checks the sources as well), the families
// the browser filters by, the kinds of object, and the labels of the fields a record's details carry.

type Words = readonly [zh: string, en: string];

export const AUDIT_ACTIONS = {
  'access.denied': ['拒绝访问（无权限）', 'Access denied (not permitted)'],
  'access.refused': ['拒绝请求（安全原因）', 'Request refused (security reason)'],
  'server.error': ['服务器内部错误', 'Server error'],
  'api.call': ['接口调用', 'API call'],
  'audit.read': ['查看审计日志', 'Read the audit log'],
  'audit.export': ['导出审计日志', 'Exported the audit log'],
  'audit.verify': ['校验审计哈希链', 'Verified the audit chain'],
  'auth.login': ['登录', 'Logged in'],
  'auth.login.password_ok': ['登录：密码正确，待输入动态口令', 'Log-in: password right, one-time code next'],
  'auth.lockout': ['账号临时锁定（多次失败）', 'Account locked for a while (repeated failures)'],
  'auth.logout': ['退出登录', 'Logged out'],
  'auth.totp.enrol_start': ['开始绑定动态口令', 'Started setting up a one-time-code app'],
  'auth.totp.enrolled': ['绑定动态口令', 'Set up a one-time-code app'],
  'auth.totp.disable': ['关闭动态口令（核对密码）', 'Switching off one-time codes (password check)'],
  'auth.totp.disabled': ['关闭动态口令', 'Switched off one-time codes'],
  'org.create': ['新建单位', 'Created an organisation'],
  'org.update': ['修改单位信息', 'Changed an organisation'],
  'user.list': ['查看用户列表', 'Listed users'],
  'user.read': ['查看用户信息', 'Read a user'],
  'user.create': ['新建用户', 'Created a user'],
  'user.update': ['修改用户', 'Changed a user'],
  'user.unlock': ['解除用户锁定', 'Unlocked a user'],
  'user.password_change': ['修改本人密码', 'Changed their password'],
  'user.password_reset': ['重置用户密码', "Reset a user's password"],
  'user.totp_reset': ['重置用户动态口令', "Reset a user's one-time codes"],
  'credential.list': ['查看接口凭据列表', 'Listed API credentials'],
  'credential.create': ['签发接口凭据', 'Issued an API credential'],
  'credential.revoke': ['吊销接口凭据', 'Revoked an API credential'],
  'calendar.override.set': ['调整工作日历', 'Set a working-day override'],
  'calendar.override.remove': ['撤销工作日历调整', 'Removed a working-day override'],
  'policy.update': ['修改政策参数（新版本）', 'Changed policy parameters (a new version)'],
  'catalog.resource.create': ['编制数据资源', 'Compiled a resource'],
  'catalog.resource.edit': ['修改资源草稿', 'Edited a resource draft'],
  'catalog.resource.submit': ['提交目录审核', 'Submitted a resource for review'],
  'catalog.resource.withdraw': ['撤回目录', 'Withdrew a resource'],
  'catalog.resource.change': ['发起目录变更', 'Started a change request'],
  'catalog.resource.approve': ['目录审核通过', 'Approved a resource'],
  'catalog.resource.return': ['目录退回修改', 'Returned a resource for changes'],
  'catalog.export': ['导出目录', 'Exported the catalog'],
  'catalog.import': ['导入目录', 'Imported a catalog workbook'],
  'catalog.list.export': ['导出清单', 'Exported a list'],
  'catalog.settings.update': ['修改资源代码格式', 'Changed the resource code format'],
  'catalog.code.create': ['新增代码表代码', 'Added a code to a code table'],
  'catalog.code.update': ['修改代码表代码', 'Changed a code of a code table'],
  'catalog.system.create': ['登记信息系统', 'Registered an information system'],
  'catalog.system.update': ['修改信息系统', 'Changed an information system'],
  'demand.file': ['提交数据需求', 'Filed a data demand'],
  'demand.matched': ['需求匹配到已有资源', 'Matched a demand to resources'],
  'demand.topic_approved': ['需求批准为主题库项目', 'Approved a demand as a topic library'],
  'demand.rejected': ['驳回数据需求', 'Rejected a demand'],
  'system_plan.submit': ['提交建设论证', 'Submitted a system plan'],
  'system_plan.resubmit': ['重新提交建设论证', 'Resubmitted a system plan'],
  'system_plan.approve': ['建设论证通过', 'Approved a system plan'],
  'system_plan.return': ['建设论证退回', 'Returned a system plan'],
  'masking.profile.create': ['新建脱敏方案', 'Created a masking profile'],
  'masking.profile.approve': ['批准脱敏方案', 'Approved a masking profile'],
  'masking.preview': ['预览脱敏效果', 'Previewed masking'],
  'masking.detokenize': ['还原脱敏令牌', 'Reversed a masking token'],
  'ingest.batch.load': ['数据归集入库', 'Loaded a batch'],
  'ingest.batch.fail': ['数据归集失败', 'A batch failed'],
  'ingest.rejected.export': ['下载未通过的数据行', 'Downloaded rejected rows'],
  'ingest.data.browse': ['浏览归集数据', 'Browsed loaded data'],
  'ingest.table.create': ['建立资源数据表', "Created a resource's data table"],
  'ingest.table.migrate': ['变更资源数据表', "Changed a resource's data table"],
  'ingest.table.rebuild': ['重建资源数据表', "Rebuilt a resource's data table"],
  'ingest.pull_source.create': ['新建定时抽取源', 'Created a scheduled pull source'],
  'ingest.pull_source.update': ['修改定时抽取源', 'Changed a scheduled pull source'],
  'ingest.pull_source.refused': ['拒绝定时抽取地址（安全原因）', 'Refused a pull address (security reason)'],
  'ingest.one_source.check': ['一数一源比对', 'One-source comparison'],
} as const satisfies Record<string, Words>;

export type AuditAction = keyof typeof AUDIT_ACTIONS;

/** The families an action belongs to (the part before its first dot), for the browser's filter. */
export const ACTION_FAMILIES = {
  access: ['访问控制', 'Access control'],
  server: ['服务器', 'Server'],
  api: ['接口调用', 'API calls'],
  audit: ['审计日志', 'Audit log'],
  auth: ['登录与口令', 'Log-in and one-time codes'],
  org: ['单位', 'Organisations'],
  user: ['用户', 'Users'],
  credential: ['接口凭据', 'API credentials'],
  calendar: ['工作日历', 'Working-day calendar'],
  policy: ['政策参数', 'Policy parameters'],
  catalog: ['目录', 'Catalog'],
  demand: ['需求清单', 'Demands'],
  system_plan: ['系统建设论证', 'System plans'],
  masking: ['脱敏', 'Masking'],
  ingest: ['数据归集', 'Data aggregation'],
} as const satisfies Record<string, Words>;
export type ActionFamily = keyof typeof ACTION_FAMILIES;

export const familyOf = (action: string): string => action.split('.', 1)[0]!;

/** Every kind of object a record can name. */
export const OBJECT_TYPES = {
  resource: ['数据资源', 'Resource'],
  organisation: ['单位', 'Organisation'],
  user: ['用户', 'User'],
  session: ['登录会话', 'Session'],
  credential: ['接口凭据', 'API credential'],
  ingest_batch: ['归集批次', 'Batch'],
  pull_source: ['定时抽取源', 'Scheduled pull source'],
  masking_profile: ['脱敏方案', 'Masking profile'],
  info_system: ['信息系统', 'Information system'],
  demand: ['数据需求', 'Data demand'],
  system_plan: ['建设论证', 'System plan'],
  catalog: ['目录', 'Catalog'],
  catalog_settings: ['目录设置', 'Catalog settings'],
  catalog_code: ['代码表代码', 'Code-table code'],
  list: ['清单', 'List'],
  calendar_day: ['日历日期', 'Calendar day'],
  policy: ['政策参数版本', 'Policy version'],
  audit: ['审计日志', 'Audit log'],
  route: ['接口地址', 'API route'],
  source_check_run: ['一数一源比对', 'One-source comparison'],
  token: ['脱敏令牌', 'Masking token'],
} as const satisfies Record<string, Words>;

/** Labels of the fields a record's details carry; a field not listed here is shown by its name. */
export const FIELD_WORDS: Record<string, Words> = {
  name: ['名称', 'Name'],
  code: ['代码', 'Code'],
  kind: ['类型', 'Kind'],
  uscc: ['统一社会信用代码', 'USCC'],
  parentId: ['上级单位', 'Parent'],
  parent_id: ['上级单位', 'Parent'],
  contactName: ['联系人', 'Contact'],
  contact_name: ['联系人', 'Contact'],
  contactPhone: ['联系电话', 'Phone'],
  contact_phone: ['联系电话', 'Phone'],
  contactEmail: ['电子邮箱', 'E-mail'],
  contact_email: ['电子邮箱', 'E-mail'],
  active: ['启用', 'Active'],
  username: ['用户名', 'User name'],
  displayName: ['姓名', 'Display name'],
  display_name: ['姓名', 'Display name'],
  email: ['电子邮箱', 'E-mail'],
  phone: ['电话', 'Phone'],
  roles: ['角色', 'Roles'],
  password: ['密码', 'Password'],
  totp_enabled: ['动态口令', 'One-time codes'],
  mfa: ['第二因素', 'Second factor'],
  locked_until: ['锁定至', 'Locked until'],
  reason: ['原因', 'Reason'],
  code_: ['错误代码', 'Error code'],
  error: ['错误', 'Error'],
  fields: ['涉及字段', 'Fields'],
  resource: ['数据资源', 'Resource'],
  version: ['版本', 'Version'],
  mode: ['归集方式', 'Mode'],
  outcome: ['结果', 'Outcome'],
  file: ['文件', 'File'],
  bytes: ['大小（字节）', 'Size (bytes)'],
  received: ['收到行数', 'Rows received'],
  accepted: ['入库行数', 'Rows loaded'],
  rejected: ['未通过行数', 'Rows rejected'],
  rowCount: ['表内总行数', 'Rows in the table'],
  rows: ['行数', 'Rows'],
  page: ['页码', 'Page'],
  raw: ['未脱敏', 'Unmasked'],
  filters: ['筛选条件数', 'Filters'],
  filter: ['筛选条件', 'Filter'],
  offset: ['起始位置', 'Offset'],
  returned: ['返回条数', 'Returned'],
  count: ['记录数', 'Records'],
  problemCount: ['异常数', 'Problems'],
  problems: ['异常', 'Problems'],
  status: ['状态', 'Status'],
  looser: ['放宽的信息项', 'Items loosened'],
  systemName: ['信息系统', 'System'],
  system_name: ['信息系统', 'System'],
  expiresAt: ['到期时间', 'Expires'],
  expires_at: ['到期时间', 'Expires'],
  note: ['说明', 'Note'],
  params: ['参数', 'Parameters'],
  day: ['日期', 'Date'],
  comment: ['意见', 'Comment'],
  decision: ['决定', 'Decision'],
  settings: ['设置', 'Settings'],
  interval: ['间隔', 'Interval'],
  intervalMinutes: ['抽取间隔（分钟）', 'Interval (minutes)'],
  host: ['主机', 'Host'],
  table: ['数据表', 'Table'],
  pairs: ['比对对数', 'Pairs compared'],
  conflicts: ['不一致条数', 'Conflicts'],
  scope: ['范围', 'Scope'],
  profile: ['脱敏方案', 'Profile'],
  columns: ['字段', 'Columns'],
  refused: ['被拒绝的操作', 'What was refused'],
};

export const words = (w: Words) => ({ zh: w[0], en: w[1] });

/** An action in words; an action the table does not know (from an older release) reads as itself. */
export function actionWords(action: string): { zh: string; en: string } {
  const w = (AUDIT_ACTIONS as Record<string, Words>)[action];
  return w ? words(w) : { zh: action, en: action };
}

export function objectTypeWords(type: string | null): { zh: string; en: string } | null {
  if (!type) return null;
  const w = (OBJECT_TYPES as Record<string, Words>)[type];
  return w ? words(w) : { zh: type, en: type };
}

export function fieldWords(field: string): { zh: string; en: string } {
  const w = FIELD_WORDS[field];
  return w ? words(w) : { zh: field, en: field };
}
