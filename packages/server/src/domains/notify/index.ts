export { NotifyService, notify, type NewNotice } from './notify.service.ts';
export { notifyRoutes } from './notify.routes.ts';
export { NOTICE_KINDS, type NoticeKind } from './notify.schemas.ts';
