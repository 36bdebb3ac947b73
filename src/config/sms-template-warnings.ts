import { docField as get } from './doc-field.js';
import type { ConfigWarning } from './warnings.js';

/**
 * An `issued` text of the hall's own that sends the citizen to `{windows}`: with no window open that
 * serves the service at issue, the paper names none (请留意叫号屏) and `{windows}` is empty, so the SMS
 * would read 请到号窗口. Valid (most tickets are issued with a window open), so a warning; `{windowsText}`
 * is the paper's own line for both cases. issuedNear is sent only with windows to name.
 */
export function smsTemplateWarnings(doc: unknown): ConfigWarning[] {
  const issued = get(get(get(get(doc, 'server'), 'sms'), 'templates'), 'issued');
  if (typeof issued !== 'string' || !issued.includes('{windows}')) return [];
  return [
    {
      path: 'server.sms.templates.issued',
      en: 'server.sms.templates.issued: names {windows}, which is empty when no window that serves the service is open at issue (the ticket then names no window: 请留意叫号屏); write {windowsText}, the ticket\'s own line (请到 3、5 号窗口等候 or 请留意叫号屏)',
      zh: 'server.sms.templates.issued：用了 {windows}，取号时若没有能办理该业务的窗口开放，它为空（票面此时不写窗口号，而是“请留意叫号屏”）；请改用 {windowsText}，即票面上的原话（请到 3、5 号窗口等候 或 请留意叫号屏）',
    },
  ];
}
