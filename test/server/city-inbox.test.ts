import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../drivers/common/logger.js';
import { rejectionMessages, type Command, type Outcome } from '../../src/core/index.js';
import { CityInbox, cityNoticeBody } from '../../src/server/city-inbox.js';

/** The hall's answers to the city's messages (docs/city.md, "City → hall"): a refusal is an error with a kebab-case code and both texts. */
function inbox(outcome: Outcome, appointments = false) {
  const ran: Command[] = [];
  const box = new CityInbox({
    root: 'hallq/v1/h',
    run: (cmd) => (ran.push(cmd), outcome),
    importAppointments: appointments ? () => [] : undefined,
    clock: () => Date.parse('2026-12-01T10:00:00Z'),
    logger: silentLogger,
    maxBytes: 65536,
  });
  const send = (kind: string, body: unknown) => box.handle(`hallq/v1/h/city/in/${kind}`, Buffer.from(JSON.stringify(body)));
  return { send, ran };
}

describe("the hall's answers to city messages", () => {
  it('refuses a raise with neither preset nor text (the city API too: 400)', () => {
    expect(cityNoticeBody.safeParse({ action: 'raise' }).success).toBe(false);
    expect(cityNoticeBody.safeParse({ action: 'raise', text: '停电' }).success).toBe(true);
    expect(cityNoticeBody.safeParse({ action: 'clear' }).success).toBe(true);
    const { send, ran } = inbox({ ok: true });
    expect(send('notice', { id: 'in-1', action: 'raise' })).toMatchObject({ id: 'in-1', status: 'error', error: { code: 'payload-invalid', messageZh: expect.any(String) } });
    expect(ran).toHaveLength(0);
  });

  it("answers status 'error' with the core's code and texts when the hall refuses the notice", () => {
    const { send } = inbox({ ok: false, code: 'unknown-preset', message: rejectionMessages['unknown-preset'] });
    expect(send('notice', { id: 'in-2', action: 'raise', preset: 'nosuch' })).toEqual({ id: 'in-2', status: 'error', error: { code: 'unknown-preset', message: 'No such emergency preset', messageZh: '没有该预设紧急通知' } });
  });

  it('uses kebab-case codes with English and Chinese for expired notices, appointments off and unknown kinds', () => {
    const { send } = inbox({ ok: true });
    const codes = [send('notice', { id: 'in-3', action: 'clear', until: '2026-12-01T09:00:00Z' }), send('appointments', { id: 'in-4', appointments: [{}] }), send('nosuch', { id: 'in-5' }), send('notice', 'x')].map((r) => (r?.status === 'error' ? r.error : undefined));
    expect(codes.map((e) => e?.code)).toEqual(['expired', 'payload-invalid', 'unknown-kind', 'payload-invalid']);
    for (const e of codes) expect(e?.messageZh).toMatch(/\p{Script=Han}/u);
    const off = inbox({ ok: true }).send('appointments', { id: 'in-6', appointments: [{ id: 'p1' }] });
    expect(off?.status).toBe('error');
  });
});
