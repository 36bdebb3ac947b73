import type { Lang } from './model.js';

/** Every reason the core may refuse a command, with what the citizen or staff member reads. */
export const rejectionMessages = {
  'not-configured': { zh: '系统尚未配置', en: 'The hall is not configured yet' },
  'invalid-command': { zh: '无效的操作', en: 'Invalid command' },
  'unknown-service': { zh: '没有该业务', en: 'No such service' },
  'hall-closed': { zh: '今日不办公', en: 'The hall is closed today' },
  'outside-hours': { zh: '不在办理时间内', en: 'Outside service hours' },
  'issuing-stopped': { zh: '今日取号已截止', en: 'Ticket issuing has stopped for now' },
  'quota-reached': { zh: '该业务今日号源已满', en: "Today's tickets for this service are all taken" },
  'no-window': { zh: '暂无窗口办理该业务', en: 'No window handles this service' },
  'id-required': { zh: '请刷身份证取号', en: 'Please scan your ID card to take a ticket' },
  'id-invalid': { zh: '身份证号码无效', en: 'The ID number is not valid' },
  'per-id-open': { zh: '您已有该业务的号码，请等候叫号', en: 'You already hold a ticket for this service' },
  'per-id-daily': { zh: '您今日取号次数已达上限', en: 'You have reached the daily ticket limit' },
  'unknown-ticket': { zh: '没有该号码', en: 'No such ticket' },
  'bad-ticket-state': { zh: '该号码当前不能进行此操作', en: 'The ticket cannot do that now' },
  'unknown-window': { zh: '没有该窗口', en: 'No such window' },
  'unknown-staff': { zh: '没有该工作人员', en: 'No such staff member' },
  'window-closed': { zh: '窗口未开启', en: 'The window is closed' },
  'window-paused': { zh: '窗口暂停服务中', en: 'The window is paused' },
  'window-occupied': { zh: '窗口已有人员登录', en: 'Another staff member is logged in at this window' },
  'staff-elsewhere': { zh: '您已在其他窗口登录', en: 'You are logged in at another window' },
  'no-current-ticket': { zh: '当前没有正在办理的号码', en: 'No ticket is being served at this window' },
  'recall-limit': { zh: '已达重呼次数上限', en: 'Recall limit reached' },
  'unknown-appointment': { zh: '没有今日的预约', en: 'No appointment for today' },
  'appointment-used': { zh: '该预约已签到', en: 'The appointment is already checked in' },
  'appointment-too-early': { zh: '未到预约签到时间', en: 'Too early to check in for the appointment' },
  'duplicate-appointment': { zh: '预约已存在', en: 'The appointment already exists' },
  'rating-source': { zh: '评价只能由办事群众在评价器上进行', en: 'Only the citizen may rate, on the rating keypad' },
  'rating-nothing': { zh: '没有可评价的服务', en: 'There is no service to rate' },
  'rating-expired': { zh: '评价时间已过', en: 'The time to rate has passed' },
  'rating-duplicate': { zh: '该服务已评价', en: 'This service has already been rated' },
  'unknown-rating': { zh: '没有该评价', en: 'No such rating' },
  'follow-up-closed': { zh: '该评价已处理', en: 'This rating has already been followed up' },
} as const satisfies Record<string, Lang>;

export type RejectionCode = keyof typeof rejectionMessages;
