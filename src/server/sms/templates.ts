/**
 * The words of each message. The modem sends the rendered text; gateways send the template name and
 * the same parameters (their texts are approved at the provider). Numbers, windows and the hall
 * name only: no personal data goes into a text.
 */
import { formatHm, localTime, ticketNotice, waitFigure, type HallState } from '../../core/index.js';
import { SMS_TEMPLATE_DEFAULTS, type SMS_PLACEHOLDERS, type SMS_TEMPLATE_NAMES } from '../../config/sms-texts.js';
import type { OutboxParams, OutboxReason } from './outbox.js';

/** issued · issuedNear · near · called */
export type SmsTemplateName = (typeof SMS_TEMPLATE_NAMES)[number];
export type SmsTemplates = Readonly<Record<SmsTemplateName, string>>;
/** hall · number · … · statusLink (config/sms-texts.ts) */
export type SmsPlaceholder = (typeof SMS_PLACEHOLDERS)[number];

export const DEFAULT_TEMPLATES: SmsTemplates = SMS_TEMPLATE_DEFAULTS;

/**
 * Which message a notice becomes: an issued notice for a ticket already near its turn says both
 * in one message (DB22/T 2871.4 §7.4.4), so that citizen is told to come near exactly once.
 */
export function templateFor(reason: OutboxReason, params: OutboxParams): SmsTemplateName {
  if (reason === 'rating-link') return 'ratingLink';
  if (reason === 'reminder') return 'appointmentReminder';
  // issuedNear names the windows to wait near: without any (a row of an older log), the plain issued text.
  return reason === 'issued' && params.near === true && params.windows.length > 0 ? 'issuedNear' : reason;
}

/**
 * `link` and `valid` are the off-site rating page and its validity in minutes (ratingLink only), `time` a reminder's slot start; '' elsewhere.
 * `aheadText`, `waitText`, `windowsText`, `policy` and `statusLink` are the printed ticket's own words (src/core/ticket-notice.ts): 前面还有 N 人,
 * 即将叫号 / 预计等候约 N 分钟 / 预计等候超过2小时 / 暂无开放窗口，开放后计算, 请到 3、5 号窗口等候 / 请留意叫号屏, the no-show rule,
 * and 查看进度 <status page> ('' without a status link).
 */
export type SmsVars = Record<SmsPlaceholder, string>;

/** Where the SMS points for the ticket's status page: the same URL as the printed QR code. */
export function statusLinkText(url: string | undefined): string {
  return url ? `查看进度 ${url}` : '';
}

/**
 * The placeholders' values for one outbox row, with names from the hall config in the state.
 * `windows` are the notice's: the open windows that can serve the ticket, as its paper names them;
 * none with none open at issue, and then no window is named (the paper says 请留意叫号屏, and so does
 * `{windowsText}`): filling in the windows configured for the service made the SMS name windows the
 * paper did not (tryout G008, H002).
 */
export function smsVars(params: OutboxParams, state: HallState, statusUrl?: string): SmsVars {
  const config = state.config;
  const service = config?.services.find((s) => s.id === params.serviceId);
  const windows = params.windows;
  const notice = ticketNotice({
    number: params.number,
    service: service?.name ?? { zh: params.serviceId, en: params.serviceId },
    position: params.position ?? 1,
    estimatedWaitMinutes: params.waitMinutes,
    windows,
    statusUrl,
    noShow: config?.policy.noShow,
  });
  return {
    hall: config?.name.zh ?? '',
    number: notice.number,
    service: notice.service.zh,
    position: String(notice.position),
    ahead: String(notice.ahead),
    aheadText: notice.aheadText,
    waitText: notice.waitText,
    windowsText: notice.windowsText,
    policy: notice.policyText,
    statusLink: statusLinkText(notice.statusUrl),
    // Estimated wait in minutes, 超过120 past the bound the ticket says too (src/core/wait-words.ts); '—' when no open window could call the ticket.
    wait: waitFigure(params.waitMinutes),
    windows: windows.join('、'),
    window: String(windows[0] ?? ''),
    link: params.link ?? '',
    valid: params.validMinutes === undefined ? '' : String(params.validMinutes),
    // A reminder's slot start as local HH:MM (the hall's offset).
    time: params.slotStart === undefined ? '' : formatHm(localTime(params.slotStart, config?.utcOffsetMinutes ?? 480).minute),
  };
}

/** Replaces each {name}; an unknown placeholder is left as written, so a typo shows in the text rather than vanishing. */
export function renderSms(template: string, vars: SmsVars): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (Object.hasOwn(vars, name) ? vars[name as keyof SmsVars] : whole));
}

