// Apart from the schema (schema.ts builds zod objects at load): the server's SMS templates read these
// without importing it; only the daemon's config check does, when it runs (issue 12).

/**
 * Citizens' SMS (src/server/sms/README.md). Secrets live in files (mode 0600), never in this file.
 * The texts follow DB22/T 2871.4: at issue the wait position (等待顺序数) and the window numbers
 * (§7.4.3); a ticket already near its turn at issue is told in that same message to wait near its
 * windows (issuedNear, §7.4.4), otherwise by `near` when it first gets there; `called` (§7.4.5).
 */
export const SMS_TEMPLATE_DEFAULTS = {
  // The issued texts say what the printed ticket says, in the same words (src/core/ticket-notice.ts).
  // issuedNear is sent only with windows to name (core/notify.ts, templates.ts templateFor).
  // {windowsText} is the paper's window line (请到 3、5 号窗口等候, or 请留意叫号屏 with none open), not 请到{windows}号…:
  // {windows} is empty then, as the paper names no window.
  issued: '【{hall}】您已取号{number}（{service}），{aheadText}，{waitText}，{windowsText}。{policy}。{statusLink}',
  issuedNear: '【{hall}】您已取号{number}（{service}），{aheadText}，{waitText}，请到{windows}号窗口附近等候。{policy}。{statusLink}',
  near: '【{hall}】{number}即将叫号，请到{windows}号窗口附近等候。',
  called: '【{hall}】请{number}号到{window}号窗口办理。',
  /** 离场评价 (Songjiang §6.6.1.1): sent after the service to a citizen who did not rate on the keypad. */
  ratingLink: '【{hall}】您办理的{number}（{service}）已办结，请对本次服务进行评价：{link} （{valid}分钟内有效）',
  /** Songjiang §4.7.3: sent `platform.appointments.reminderMinutes` before an imported appointment's slot. */
  appointmentReminder: '【{hall}】您预约的{service}业务将于{time}开始，请按时到大厅，凭身份证、手机号或预约码签到。',
};
/** The message kinds a provider needs a text (modem) or an approved template (gateways) for. */
export const SMS_TEMPLATE_NAMES = ['issued', 'issuedNear', 'near', 'called', 'ratingLink', 'appointmentReminder'] as const;
/**
 * The placeholders a text may name (src/server/sms/templates.ts smsVars fills them), and the parameters
 * a gateway template may list: the same names, so an approved template can carry every one.
 */
export const SMS_PLACEHOLDERS = ['hall', 'number', 'service', 'position', 'ahead', 'wait', 'windows', 'window', 'link', 'valid', 'time', 'aheadText', 'waitText', 'windowsText', 'policy', 'statusLink'] as const;
