// One error type with a stable code and messages in zh-CN and en; mapped to RFC 9457 in http.ts.
export interface FieldError {
  field: string;
  message: { zh: string; en: string };
}

export class AppError extends Error {
  /** Set for a refusal made for a security reason: the error handler writes an audit record with this reason. */
  securityReason: string | null = null;
  constructor(
    public readonly status: number,
    public readonly code: string,
    public readonly zh: string,
    public readonly en: string,
    public readonly fields: FieldError[] = [],
  ) {
    super(en);
    this.name = 'AppError';
  }

  /** Marks the refusal as made for a security reason, so it is audited whatever its status. */
  audited(reason: string): this {
    this.securityReason = reason;
    return this;
  }
}

export const errors = {
  unauthenticated: () => new AppError(401, 'auth.unauthenticated', '请先登录', 'Please log in first'),
  forbidden: (what = '') =>
    new AppError(
      403,
      'auth.forbidden',
      `无权执行此操作${what ? '：' + what : ''}`,
      `You may not do this${what ? ': ' + what : ''}`,
    ),
  notFound: (type: string, id: string) =>
    new AppError(404, `${type}.not_found`, `未找到${type}：${id}`, `No ${type} with id ${id}`),
  validation: (fields: FieldError[]) =>
    new AppError(
      400,
      'request.invalid',
      '请求有误：' + fields.map((f) => `${f.field} ${f.message.zh}`).join('；'),
      'Invalid request: ' + fields.map((f) => `${f.field} ${f.message.en}`).join('; '),
      fields,
    ),
  field: (field: string, zh: string, en: string) => errors.validation([{ field, message: { zh, en } }]),
  conflict: (code: string, zh: string, en: string) => new AppError(409, code, zh, en),
};
