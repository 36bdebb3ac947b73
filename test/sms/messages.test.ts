import { afterAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../drivers/common/logger.js';
import type { CommandBody } from '../../src/core/index.js';
import { smsSchema } from '../../src/config/schema.js';
import { SmsService } from '../../src/server/sms/sms-service.js';
import { dirs, modemInbox, smsRig } from './fixtures.js';

/**
 * What citizens read (DB22/T 2871.4 §7.4.3–7.4.5), as the modem emulator decodes it from the PDUs
 * the real AtModem sends over a pty: position and windows at issue, the "wait near your window"
 * prompt exactly once (in the issued message when already near, else on its own), the call.
 */
describe('the citizen’s messages, received by the modem', () => {
  const stops: (() => Promise<void> | void)[] = [];
  afterAll(async () => {
    for (const stop of stops.reverse()) await stop();
    dirs.cleanup();
  });

  async function hall() {
    const clock = () => Date.parse('2026-11-23T02:00:00Z') + performance.now();
    const rig = smsRig({ clock });
    stops.push(() => rig.close());
    const inbox = await modemInbox();
    stops.push(() => inbox.close());
    const { pty, received } = inbox;
    const config = smsSchema.parse({ provider: 'modem', modem: { path: pty.host, baudRate: 115200 } });
    const service = SmsService.open({ config, database: rig.path, engine: rig.engine, clock, logger: silentLogger });
    if (!service) throw new Error('sms off');
    service.start();
    stops.push(() => service.stop());
    const texts = async (n: number): Promise<string[]> => (await inbox.arrived(n)).map((m) => m.text);
    const run = (cmd: CommandBody) => rig.run(cmd);
    const withPhone = (phone: string) => {
      const id = rig.issue('A');
      expect(service.contact(id, phone)).toBe(true);
      // The contact arrives after the issue: the outbox row was made by the issue's events.
      return id;
    };
    return { rig, service, texts, run, withPhone, received };
  }

  it('issued far from its turn: issued (position, windows), then near, then called', async () => {
    const h = await hall();
    h.run({ type: 'OpenWindow', window: 3, staffId: 's3', source: 'caller-keypad' } as CommandBody);
    for (let i = 0; i < 3; i++) h.rig.issue('A');
    h.withPhone('13912345678');
    expect(await h.texts(1)).toEqual(['【联调大厅】您已取号A004（社保），前面还有 3 人，预计等候约 15 分钟，请到 3 号窗口等候。过号顺延 3 位重新排队（限一次）。']);
    for (let i = 0; i < 3; i++) h.run({ type: 'CallNext', window: 3, source: 'caller-keypad' } as CommandBody);
    expect((await h.texts(2))[1]).toBe('【联调大厅】A004即将叫号，请到3号窗口附近等候。');
    h.run({ type: 'CallNext', window: 3, source: 'caller-keypad' } as CommandBody);
    expect((await h.texts(3))[2]).toBe('【联调大厅】请A004号到3号窗口办理。');
    expect(h.received.every((m) => m.phone === '+8613912345678')).toBe(true);
  });

  it('issued already near its turn: one message says both, and no separate near message follows', async () => {
    const h = await hall();
    h.run({ type: 'OpenWindow', window: 2, staffId: 's2', source: 'caller-keypad' } as CommandBody);
    h.withPhone('13912345678');
    expect(await h.texts(1)).toEqual(['【联调大厅】您已取号A001（社保），前面还有 0 人，即将叫号，请到2号窗口附近等候。过号顺延 3 位重新排队（限一次）。']);
    h.run({ type: 'CallNext', window: 2, source: 'caller-keypad' } as CommandBody);
    expect(await h.texts(2)).toEqual(['【联调大厅】您已取号A001（社保），前面还有 0 人，即将叫号，请到2号窗口附近等候。过号顺延 3 位重新排队（限一次）。', '【联调大厅】请A001号到2号窗口办理。']);
    expect(h.service.outbox.all().map((r) => r.reason)).toEqual(['issued', 'called']);
  });

  it('issued with no window open: its position, and no window, as its paper says (请留意叫号屏)', async () => {
    const h = await hall();
    h.withPhone('13912345678');
    expect(await h.texts(1)).toEqual(['【联调大厅】您已取号A001（社保），前面还有 0 人，暂无开放窗口，开放后计算，请留意叫号屏。过号顺延 3 位重新排队（限一次）。']);
  });
});
