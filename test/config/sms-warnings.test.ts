import { describe, expect, it } from 'vitest';
import { loadConfigOrThrow } from '../../src/config/load.js';
import { hallConfigOf } from '../../src/config/hall-config.js';
import { smsSchema } from '../../src/config/schema.js';
import { configWarnings } from '../../src/config/warnings.js';

/** issue 13: whether the hall sends SMS reaches the hall config (and so the agents), and settings that would send texts with SMS off are warned about. */
describe('SMS off in the config', () => {
  const demo = loadConfigOrThrow('config/demo.yaml');
  const withSms = (sms: object) => ({ ...demo, server: { ...demo.server, sms: smsSchema.parse(sms) } });

  it('the hall config says whether the hall sends SMS', () => {
    expect(hallConfigOf(withSms({ provider: 'none' })).smsEnabled).toBe(false);
    expect(hallConfigOf(withSms({ provider: 'modem', modem: { path: '/dev/hallq/modem' } })).smsEnabled).toBe(true);
  });

  it('warns of a rating link and appointment reminders with provider none, with their key paths, in both languages', () => {
    const c = { ...withSms({ provider: 'none', ratingLink: { baseUrl: 'https://hall.example.gov.cn' } }), platform: { ...demo.platform, appointments: { idHashKeyFile: '/etc/hallq/idhash.key', reminderMinutes: 60 } } } as typeof demo;
    const w = configWarnings(c).filter((x) => x.path.includes('ratingLink') || x.path.includes('reminderMinutes'));
    expect(w.map((x) => x.path)).toEqual(['server.sms.ratingLink', 'platform.appointments.reminderMinutes']);
    for (const x of w) {
      expect(x.en).toContain('provider is none');
      expect(x.zh).toContain('none');
    }
    // With a provider, no such warning.
    const on = { ...c, server: { ...c.server, sms: smsSchema.parse({ provider: 'modem', modem: { path: '/dev/null' }, ratingLink: { baseUrl: 'https://hall.example.gov.cn' } }) } };
    expect(configWarnings(on).filter((x) => x.path.includes('ratingLink') || x.path.includes('reminderMinutes'))).toEqual([]);
  });
});
