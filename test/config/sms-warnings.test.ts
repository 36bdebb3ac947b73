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

/** The tryout's G008: with no window open at issue, `{windows}` is empty (the paper names none), so an own issued text built on it reads 请到号窗口. */
describe('an issued SMS text of the hall’s own', () => {
  const demo = loadConfigOrThrow('config/demo.yaml');
  const withIssued = (issued?: string) => ({ ...demo, server: { ...demo.server, sms: smsSchema.parse({ provider: 'modem', modem: { path: '/dev/null' }, ...(issued ? { templates: { issued } } : {}) }) } });
  const warned = (c: unknown) => configWarnings(c).filter((x) => x.path === 'server.sms.templates.issued');

  it('is warned about when it names {windows}, in both languages, pointing to {windowsText}', () => {
    const w = warned(withIssued('【{hall}】您已取号{number}，请到{windows}号窗口办理。'));
    expect(w).toHaveLength(1);
    expect(w[0]?.en).toContain('{windowsText}');
    expect(w[0]?.zh).toContain('{windowsText}');
  });

  it('is not, with the default text or one that says {windowsText}', () => {
    expect(warned(withIssued())).toEqual([]);
    expect(warned(withIssued('【{hall}】您已取号{number}，{windowsText}。'))).toEqual([]);
  });
});
