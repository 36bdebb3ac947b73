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
  'per-phone-open': { zh: '该手机号码已有该业务的号码，请等候叫号', en: 'This mobile number already holds tickets for this service' },
  'per-phone-daily': { zh: '该手机号码今日取号次数已达上限', en: 'This mobile number has reached the daily ticket limit' },
  'unknown-ticket': { zh: '没有该号码', en: 'No such ticket' },
  'bad-ticket-state': { zh: '该号码当前不能进行此操作', en: 'The ticket cannot do that now' },
  'print-other-kiosk': { zh: '只有出此号的取号机可以确认其打印结果', en: 'Only the agent whose kiosk issued this ticket may say whether it printed' },
  // An island kiosk with no leased number of the service left: not the day's quota (the hall may have plenty), so not 今日号源已满.
  'numbers-out': { zh: '本机暂时无法办理该业务取号，请稍候或咨询导办人员', en: 'This kiosk cannot issue tickets for this service just now: please wait, or ask at the desk' },
  'numbers-not-held': { zh: '这些号码不在本取号机的预留号段中，无需交还', en: 'None of these numbers is held free by this kiosk: nothing to give back' },
  'unknown-window': { zh: '没有该窗口', en: 'No such window' },
  'unknown-staff': { zh: '没有该工作人员', en: 'No such staff member' },
  'window-closed': { zh: '窗口未开启', en: 'The window is closed' },
  'window-paused': { zh: '窗口暂停服务中', en: 'The window is paused' },
  'window-occupied': { zh: '窗口已有人员登录', en: 'Another staff member is logged in at this window' },
  'staff-elsewhere': { zh: '您已在其他窗口登录', en: 'You are logged in at another window' },
  'staff-role': { zh: '技术人员不在窗口办理业务，请使用窗口工作人员或管理员的工号', en: 'A technician does not serve at a window: use a staff member\'s or a manager\'s id' },
  'no-current-ticket': { zh: '当前没有正在办理的号码', en: 'No ticket is being served at this window' },
  'window-moved-on': { zh: '窗口已叫到其他号码，请看屏幕后再按', en: 'The window has moved on since the key was pressed: look at the screen and press again' },
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
  'follow-up-not-bad': { zh: '只有差评需要回访处理', en: 'Only a bad rating is followed up' },
  'follow-up-note': { zh: '请填写处理内容', en: 'Write what was done' },
  'follow-up-reply-first': { zh: '请先记录回复，再记录整改或不属实认定', en: 'Record the reply first, then the rectification or the not-true determination' },
  'follow-up-determined': { zh: '该差评已有整改或不属实认定', en: 'This bad rating already has a rectification or a not-true determination' },
  'follow-up-reason': { zh: '不属实认定须填写理由', en: 'A not-true determination needs its reason' },
  emergency: { zh: '大厅处于紧急状态，暂停取号，请听从工作人员指引', en: 'The hall is under an emergency notice: no tickets now; please follow the staff' },
  'emergency-text': { zh: '请选择预设内容或填写紧急通知内容', en: 'Choose a preset or write the notice' },
  'unknown-preset': { zh: '没有该预设紧急通知', en: 'No such emergency preset' },
  'emergency-none': { zh: '当前没有紧急通知', en: 'No emergency notice is in force' },
  'sms-off': { zh: '本大厅未开通短信通知，不能短信取号', en: 'This hall sends no SMS, so no SMS-only tickets' },
  'rating-not-served': { zh: '该号码尚未办结，不能评价', en: 'This ticket has not been served yet' },
  /** Said by the agent's caller flow, not the core: a keypad key (or a frame) that has no function there. */
  'key-no-action': { zh: '该按键在此没有功能', en: 'This key has no function here' },
} as const satisfies Record<string, Lang>;

export type RejectionCode = keyof typeof rejectionMessages;

/**
 * A closed window named by its number, as the demo console says it both when a key meets the
 * closed window (the core's window-closed refusal) and when `x` closes a window already closed.
 */
export function windowClosedMessage(window: number): Lang {
  return { zh: `${window} 号窗口未开启`, en: `window ${window} is closed` };
}

/**
 * staff-elsewhere with the window they hold and the way out (issue 13): a window opened for them by a
 * manager, the CLI or a keypad has no session of theirs to sign out of, so it says the window is open
 * under their id (not that they signed in there: issue 12's tryout, finding 5) and names the manager
 * closing it too.
 */
export function staffElsewhereMessage(window: number): Lang {
  return {
    zh: `${window} 号窗口正以您的工号开启：请先在 ${window} 号窗口退出登录（或在该窗口登录后再退出），或请管理员关闭 ${window} 号窗口`,
    en: `Window ${window} is open under your staff id: sign out there first (or sign in there and sign out), or ask a manager to close window ${window}`,
  };
}
