import type { HallConfig } from '../core/model.js';
import type { HallqConfig } from './schema.js';

/** The part of the config the core sees. */
export function hallConfigOf(c: HallqConfig): HallConfig {
  return {
    id: c.hall.id,
    name: c.hall.name,
    utcOffsetMinutes: c.hall.utcOffsetMinutes,
    hours: c.hours,
    services: c.services,
    windows: c.windows,
    staff: c.staff,
    policy: c.policy,
    smsEnabled: c.server.sms.provider !== 'none',
  };
}
