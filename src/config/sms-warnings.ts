import type { ConfigWarning } from './warnings.js';

/**
 * Settings that send SMS in a hall whose `server.sms.provider` is `none` (issue 13). No service or
 * kiosk setting asks for a phone (the kiosk page asks only when the hall sends SMS, HallConfig.smsEnabled);
 * these two would send texts that never go: valid (SMS may be turned on later), so warnings, printed by
 * `hallq config check` and logged at the server's start.
 */
export function smsOffWarnings(doc: unknown): ConfigWarning[] {
  // Read from the file as written too (config check of a file the schema refuses elsewhere), so every step is optional.
  const at = (o: unknown, key: string): unknown => (typeof o === 'object' && o !== null ? (o as Record<string, unknown>)[key] : undefined);
  const sms = at(at(doc, 'server'), 'sms');
  if (at(sms, 'provider') !== 'none') return [];
  const out: ConfigWarning[] = [];
  if (at(sms, 'ratingLink')) {
    out.push({
      path: 'server.sms.ratingLink',
      en: 'server.sms.ratingLink: set, but server.sms.provider is none: no off-site rating link is sent until a provider is set',
      zh: 'server.sms.ratingLink：已设置，但 server.sms.provider 是 none：在设置短信服务之前不会发送离场评价链接',
    });
  }
  if (at(at(at(doc, 'platform'), 'appointments'), 'reminderMinutes') !== undefined) {
    out.push({
      path: 'platform.appointments.reminderMinutes',
      en: 'platform.appointments.reminderMinutes: set, but server.sms.provider is none: no appointment reminder is sent until a provider is set',
      zh: 'platform.appointments.reminderMinutes：已设置，但 server.sms.provider 是 none：在设置短信服务之前不会发送预约提醒短信',
    });
  }
  return out;
}
