/**
 * The words of each message. The modem sends the rendered text; gateways send the template name and
 * the same parameters (their texts are approved at the provider). Numbers, windows and the hall
 * name only: no personal data goes into a text.
 */
import type { HallState, NotificationReason } from '../../core/index.js';
import { SMS_TEMPLATE_DEFAULTS } from '../../config/schema.js';
import type { OutboxParams } from './outbox.js';

export type SmsTemplates = Readonly<Record<NotificationReason, string>>;

export const DEFAULT_TEMPLATES: SmsTemplates = SMS_TEMPLATE_DEFAULTS;

export type SmsVars = Record<'hall' | 'number' | 'service' | 'ahead' | 'wait' | 'windows' | 'window', string>;

/** The placeholders' values for one outbox row, with names from the hall config in the state. */
export function smsVars(params: OutboxParams, state: HallState): SmsVars {
  const config = state.config;
  const service = config?.services.find((s) => s.id === params.serviceId);
  return {
    hall: config?.name.zh ?? '',
    number: params.number,
    service: service?.name.zh ?? params.serviceId,
    ahead: String(Math.max(0, (params.position ?? 1) - 1)),
    // Estimated wait in minutes (src/core/estimate.ts); '—' when no open window could call the ticket.
    wait: params.waitMinutes === undefined ? '—' : String(params.waitMinutes),
    windows: params.windows.join('、'),
    window: String(params.windows[0] ?? ''),
  };
}

/** Replaces each {name}; an unknown placeholder is left as written, so a typo shows in the text rather than vanishing. */
export function renderSms(template: string, vars: SmsVars): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (Object.hasOwn(vars, name) ? vars[name as keyof SmsVars] : whole));
}
