import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { recordingLogger } from '../../drivers/common/logger.js';
import { smsFailed, smsTimeout } from '../../drivers/sms/sender.js';
import { Contacts } from '../../src/server/sms/contacts.js';
import { SmsDelivery, type DeliveryResult, type SmsDeliveryOptions } from '../../src/server/sms/delivery.js';
import { Outbox } from '../../src/server/sms/outbox.js';
import { openSmsDb } from '../../src/server/sms/sms-db.js';
import { DEFAULT_TEMPLATES } from '../../src/server/sms/templates.js';
import { FakeSender } from './fake-sender.js';
import { dirs, MONDAY_10, smsRig } from './fixtures.js';

afterEach(() => {
  vi.useRealTimers();
  dirs.cleanup();
});

const PHONE = '13912345678';
const cms = (code: number, retryable: boolean) => smsFailed(`+CMS ERROR: ${code}`, { providerCode: `CMS${code}`, retryable });

type Rig = ReturnType<typeof smsRig>;

function delivery(rig: Pick<Rig, 'outbox' | 'contacts' | 'engine'>, sender: FakeSender, over: Partial<SmsDeliveryOptions> = {}) {
  const logger = recordingLogger();
  const d = new SmsDelivery({
    outbox: rig.outbox,
    contacts: rig.contacts,
    sender,
    state: () => rig.engine.state,
    templates: DEFAULT_TEMPLATES,
    backoffSeconds: 10,
    maxAttempts: 5,
    clock: () => Date.now(),
    logger,
    ...over,
  });
  const results: DeliveryResult[] = [];
  d.onResult((r) => results.push(r));
  /** The next result from now on. */
  const next = () => new Promise<DeliveryResult>((resolve) => {
    const off = d.onResult((r) => {
      off();
      resolve(r);
    });
  });
  return { d, results, next, logger };
}

/** Window 3 open, `before` tickets without a contact, then one with PHONE. */
function hallWithTicket(before = 0) {
  const rig = smsRig({ clock: () => Date.now() });
  rig.run({ type: 'OpenWindow', window: 3, staffId: 's3', source: 'admin' } as never);
  for (let i = 0; i < before; i++) rig.issue();
  const events = rig.engine.eventsAfter(0);
  const t = rig.issue();
  rig.contacts.put(t, PHONE);
  rig.outbox.enqueue(rig.engine.eventsAfter(events.at(-1)?.seq ?? 0));
  return { rig, t };
}

describe('SMS delivery', () => {
  it('renders the text and sends it with the outbox id, the template name and its parameters', async () => {
    vi.useFakeTimers({ now: MONDAY_10 });
    const { rig, t } = hallWithTicket(2);
    const sender = new FakeSender();
    const { d, next } = delivery(rig, sender);
    const done = next();
    d.start();
    expect(await done).toMatchObject({ ticketId: t, reason: 'issued', outcome: 'sent', providerRef: 'ref-1' });
    const msg = sender.calls[0]?.msg;
    expect(msg).toMatchObject({ phone: PHONE, template: 'issued', text: '【联调大厅】您已取号A003（社保），前面还有 2 人，预计等候约 10 分钟，请到 3 号窗口等候。过号顺延 3 位重新排队（限一次）。' });
    expect(msg?.id).toBe(`sms-${rig.outbox.get(t, 'issued')?.id}`);
    expect(msg?.params).toMatchObject({ hall: '联调大厅', number: 'A003', service: '社保', ahead: '2', wait: '10', windows: '3', windowsText: '请到 3 号窗口等候' });
    expect(rig.outbox.get(t, 'issued')).toMatchObject({ state: 'sent', attempts: 1, providerRef: 'ref-1' });
    await d.stop();
    rig.close();
  });

  it('retries a retryable failure with exponential backoff, then marks it sent', async () => {
    vi.useFakeTimers({ now: MONDAY_10 });
    const { rig, t } = hallWithTicket();
    const sender = new FakeSender([{ error: cms(350, true) }, { error: smsTimeout('no prompt', { stage: 'prompt' }) }, { ok: 'ref-ok' }]);
    const { d, next, logger } = delivery(rig, sender);
    let r = next();
    d.start();
    expect(await r).toMatchObject({ outcome: 'retry', code: 'CMS350' });
    expect(rig.outbox.get(t, 'issued')).toMatchObject({ state: 'pending', attempts: 1, nextAttemptAt: MONDAY_10 + 10_000, lastErrorCode: 'CMS350' });
    await vi.advanceTimersByTimeAsync(9_999);
    expect(sender.calls).toHaveLength(1);
    r = next();
    await vi.advanceTimersByTimeAsync(1);
    expect(await r).toMatchObject({ outcome: 'retry', code: 'DEVICE_TIMEOUT' }); // no prompt: the PDU never went out
    await vi.advanceTimersByTimeAsync(19_999); // doubled: 20 s
    expect(sender.calls).toHaveLength(2);
    r = next();
    await vi.advanceTimersByTimeAsync(1);
    expect(await r).toMatchObject({ outcome: 'sent', providerRef: 'ref-ok' });
    expect(sender.calls.map((c) => c.at - MONDAY_10)).toEqual([0, 10_000, 30_000]);
    expect(rig.outbox.get(t, 'issued')).toMatchObject({ state: 'sent', attempts: 3, providerRef: 'ref-ok' });
    expect(JSON.stringify(logger.records)).not.toContain(PHONE);
    await d.stop();
    rig.close();
  });

  it('fails a non-retryable error at once and gives up after maxAttempts', async () => {
    vi.useFakeTimers({ now: MONDAY_10 });
    const { rig, t } = hallWithTicket();
    const sender = new FakeSender([{ error: cms(304, false) }]);
    const { d, next } = delivery(rig, sender);
    const r = next();
    d.start();
    expect(await r).toMatchObject({ outcome: 'fail', code: 'CMS304' });
    await vi.advanceTimersByTimeAsync(86_400_000);
    expect(sender.calls).toHaveLength(1);
    expect(rig.outbox.get(t, 'issued')).toMatchObject({ state: 'failed', attempts: 1, lastErrorCode: 'CMS304' });
    await d.stop();
    rig.close();

    const h2 = hallWithTicket();
    const always = new FakeSender(Array.from({ length: 10 }, () => ({ error: cms(350, true) })));
    const x = delivery(h2.rig, always, { maxAttempts: 3 });
    x.d.start();
    await always.called(1);
    const last = new Promise<DeliveryResult>((resolve) => x.d.onResult((res) => res.outcome !== 'retry' && resolve(res)));
    await vi.advanceTimersByTimeAsync(60_000);
    expect(await last).toMatchObject({ outcome: 'gave-up', code: 'CMS350' });
    expect(always.calls).toHaveLength(3);
    expect(h2.rig.outbox.get(h2.t, 'issued')).toMatchObject({ state: 'failed', attempts: 3 });
    await x.d.stop();
    h2.rig.close();
  });

  it('drops a near message whose ticket was called while it waited its turn, and still sends the called one', async () => {
    vi.useFakeTimers({ now: MONDAY_10 });
    const { rig, t } = hallWithTicket(2); // A003, position 3 of 1 window: not near at issue
    const call = () => rig.run({ type: 'CallNext', window: 3, source: 'caller-keypad' } as never);
    call();
    call(); // A003 is next: near is due
    expect(rig.outbox.all().map((r) => r.reason)).toEqual(['issued', 'near']);
    const sender = new FakeSender([{ hold: true }]);
    const { d, results } = delivery(rig, sender);
    d.start();
    await sender.called(1); // the issued message is in flight …
    call(); // … when A003 is called
    d.kick();
    const settled = new Promise<void>((resolve) => d.onResult(() => results.length === 3 && resolve()));
    sender.release();
    await settled;
    expect(results.map((r) => [r.reason, r.outcome])).toEqual([
      ['issued', 'sent'],
      ['near', 'dropped'],
      ['called', 'sent'],
    ]);
    expect(rig.outbox.get(t, 'near')).toMatchObject({ state: 'dropped', attempts: 0, lastErrorCode: 'ALREADY_CALLED' });
    expect(sender.calls.map((c) => c.msg.template)).toEqual(['issued', 'called']);
    expect(sender.calls[1]?.msg.text).toBe('【联调大厅】请A003号到3号窗口办理。');
    await d.stop();
    rig.close();
  });

  it('never resends a message that may have gone out: a timeout after submit, or a crash mid-send', async () => {
    vi.useFakeTimers({ now: MONDAY_10 });
    const { rig, t } = hallWithTicket();
    const sender = new FakeSender([{ error: smsTimeout('no +CMGS', { stage: 'submit' }) }]);
    const a = delivery(rig, sender);
    const r = a.next();
    a.d.start();
    expect(await r).toMatchObject({ outcome: 'maybe-sent', code: 'DEVICE_TIMEOUT' });
    expect(rig.outbox.get(t, 'issued')).toMatchObject({ state: 'failed', lastErrorCode: 'UNCERTAIN:DEVICE_TIMEOUT' });
    await vi.advanceTimersByTimeAsync(3_600_000);
    expect(sender.calls).toHaveLength(1);
    await a.d.stop();

    // A crash with the called message in flight: the process is gone, its send never answered.
    rig.run({ type: 'CallNext', window: 3, source: 'caller-keypad' } as never);
    const hung = new FakeSender([{ hold: true }]);
    const b = delivery(rig, hung);
    b.d.start();
    await hung.called(1);
    expect(rig.outbox.get(t, 'called')?.state).toBe('sending');
    rig.db.close(); // abandoned, as SIGKILL would leave it

    // The next start: its own connection, a working sender.
    const db = openSmsDb(rig.path, recordingLogger());
    const contacts = new Contacts(db, rig.key, () => Date.now());
    const outbox = new Outbox(db, contacts, () => Date.now());
    const sender2 = new FakeSender();
    const c = delivery({ outbox, contacts, engine: rig.engine }, sender2);
    c.d.start();
    expect(outbox.get(t, 'called')).toMatchObject({ state: 'failed', lastErrorCode: 'INTERRUPTED', attempts: 1 });
    expect(c.logger.records.some((l) => l.level === 'warn' && /in flight/.test(l.msg ?? ''))).toBe(true);
    // Proof by a later message: the sender works, and it is the only thing it was asked to send.
    const issued = rig.engine.handle({ id: 'late-issue', type: 'IssueTicket', serviceId: 'A', delivery: 'sms', source: 'kiosk' }, Date.now());
    const u = issued.outcome.ok ? (issued.outcome.ticketId ?? '') : '';
    contacts.put(u, '13700000000');
    const sent = c.next();
    outbox.enqueue(rig.engine.eventsAfter(0));
    c.d.kick();
    expect(await sent).toMatchObject({ ticketId: u, outcome: 'sent' });
    expect(sender2.calls.map((x) => x.msg.id)).toEqual([`sms-${outbox.get(u, 'issued')?.id}`]);
    await c.d.stop();
    db.close();
    rig.engine.close();
  });

  it('resumes pending rows after a restart, at their retry time', async () => {
    vi.useFakeTimers({ now: MONDAY_10 });
    const { rig, t } = hallWithTicket();
    const a = delivery(rig, new FakeSender([{ error: cms(350, true) }]));
    const r = a.next();
    a.d.start();
    await r;
    await a.d.stop();
    rig.db.close();

    const db = openSmsDb(rig.path, recordingLogger());
    const contacts = new Contacts(db, rig.key, () => Date.now());
    const outbox = new Outbox(db, contacts, () => Date.now());
    const sender2 = new FakeSender();
    const b = delivery({ outbox, contacts, engine: rig.engine }, sender2);
    b.d.start();
    await vi.advanceTimersByTimeAsync(9_999);
    expect(sender2.calls).toHaveLength(0);
    const sent = b.next();
    await vi.advanceTimersByTimeAsync(1);
    expect(await sent).toMatchObject({ ticketId: t, outcome: 'sent' });
    expect(outbox.get(t, 'issued')).toMatchObject({ state: 'sent', attempts: 2 });
    await b.d.stop();
    db.close();
    rig.engine.close();
  });

  it('drops a message whose number was purged', async () => {
    vi.useFakeTimers({ now: MONDAY_10 });
    const { rig, t } = hallWithTicket();
    rig.contacts.purgeBefore(Number.MAX_SAFE_INTEGER);
    const sender = new FakeSender();
    const { d, next } = delivery(rig, sender);
    const r = next();
    d.start();
    expect(await r).toMatchObject({ ticketId: t, outcome: 'dropped', code: 'NO_CONTACT' });
    expect(sender.calls).toHaveLength(0);
    await d.stop();
    rig.close();
  });

  it('drops (and does not spin on) a message whose number was sealed with another key', async () => {
    vi.useFakeTimers({ now: MONDAY_10 });
    const { rig, t } = hallWithTicket();
    const otherKey = new Contacts(rig.db, randomBytes(32), () => Date.now());
    const sender = new FakeSender();
    const { d, next, logger } = delivery({ outbox: rig.outbox, contacts: otherKey, engine: rig.engine }, sender);
    const r = next();
    d.start();
    expect(await r).toMatchObject({ ticketId: t, outcome: 'dropped', code: 'CONTACT_UNREADABLE' });
    expect(sender.calls).toHaveLength(0);
    expect(logger.records.some((l) => l.level === 'error')).toBe(true);
    await d.stop();
    rig.close();
  });
});
