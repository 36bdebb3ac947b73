import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../drivers/common/logger.js';
import { PRINT_NOT_CONFIRMED, SMS_NOT_TOLD, resolveOpenPrints } from '../../src/agent/flows/kiosk.js';
import { KioskJournal } from '../../src/agent/kiosk-journal.js';
import type { AgentLink } from '../../src/agent/link.js';

/** These issues carry no card: no birth date for the age rule to answer. */
const noAgeRule = () => false;

describe('the kiosk print journal (a real SQLite file)', () => {
  it('is durable (synchronous=FULL, mode 0600), keeps open prints across a reopen, and never turns a cut into a void', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'hallq-kiosk-journal-')), 'kiosk.db');
    const j = KioskJournal.open(path, noAgeRule);
    expect(j.pragmaSynchronous()).toBe(2);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    j.asked({ id: 'i1', type: 'IssueTicket', serviceId: 'A', delivery: 'print', source: 'kiosk' }, 1);
    j.asked({ id: 'i2', type: 'IssueTicket', serviceId: 'A', delivery: 'print', source: 'kiosk' }, 2);
    j.asked({ id: 'i3', type: 'IssueTicket', serviceId: 'A', delivery: 'print', source: 'kiosk' }, 3);
    j.ticket('i1', 'T1');
    j.decide('i1', 'T1', 'cut', 'c1');
    // A late void (the answer timed out after the cut) does not undo the paper.
    j.decide('i1', 'T1', 'void', 'v1', 'kiosk-timeout');
    j.settled('i3');
    j.close();

    const again = KioskJournal.open(path, noAgeRule);
    expect(again.open().map((e) => [e.issueId, e.step, e.ticketId, e.settleId])).toEqual([
      ['i1', 'cut', 'T1', 'c1'],
      ['i2', 'asked', undefined, undefined],
    ]);
    expect(again.open()[1]?.issue).toMatchObject({ id: 'i2', type: 'IssueTicket', serviceId: 'A' });
    again.settled('i1');
    expect(again.entry('i1')).toMatchObject({ step: 'cut', done: true });
    // The purge takes settled entries only: an open one stays until it is settled.
    again.purge(10);
    expect(again.entry('i1')).toBeUndefined();
    expect(again.open().map((e) => e.issueId)).toEqual(['i2']);
    again.close();
  });

  it('records that the bytes were sent (from asked only); at the next start a sent print is confirmed, never voided, and one never sent is voided', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'hallq-kiosk-journal-')), 'kiosk.db');
    const j = KioskJournal.open(path, noAgeRule);
    const issue = (id: string) => ({ id, type: 'IssueTicket' as const, serviceId: 'A', delivery: 'print' as const, source: 'kiosk' as const });
    for (const id of ['sent', 'asked', 'lost', 'failed']) j.asked(issue(id), 1);
    j.ticket('sent', 'T-sent');
    j.sent('sent');
    j.ticket('asked', 'T-asked');
    // A print refused by the device after its bytes went out is a void, as the live flow decided.
    j.ticket('failed', 'T-failed');
    j.sent('failed');
    j.decide('failed', 'T-failed', 'void', 'v-failed', 'PAPER_OUT');
    j.sent('failed');
    // An SMS-only issue answered but never shown (the agent died first): voided too, with its own reason.
    j.asked({ ...issue('sms'), delivery: 'sms' }, 1);
    j.ticket('sms', 'T-sms');
    j.close();

    const again = KioskJournal.open(path, noAgeRule);
    expect(again.open().map((e) => [e.issueId, e.step])).toEqual([
      ['sent', 'sent'],
      ['asked', 'asked'],
      ['lost', 'asked'],
      ['failed', 'void'],
      ['sms', 'asked'],
    ]);
    const sentCommands: { type: string; ticketId?: string; reason?: string }[] = [];
    const ok = { ok: true as const, events: [] };
    const link = {
      send: async (cmd: { type: string; ticketId?: string; reason?: string }) => {
        sentCommands.push(cmd);
        return ok;
      },
      // The issue whose answer was lost: asked again by its id, the server names its ticket.
      run: async (cmd: { id: string }) => ({ outcome: { ...ok, ticketId: `T-${cmd.id}` }, seq: 1 }),
    } as unknown as AgentLink;
    const counts = await resolveOpenPrints(link, again, silentLogger);
    expect(counts).toEqual({ confirmed: 1, voided: 4, sentKept: 1 });
    expect(sentCommands.filter((c) => c.type === 'PrintConfirmed').map((c) => c.ticketId)).toEqual(['T-sent']);
    expect(
      sentCommands
        .filter((c) => c.type === 'PrintFailed')
        .map((c) => [c.ticketId, c.reason])
        .sort(),
    ).toEqual([
      ['T-asked', PRINT_NOT_CONFIRMED],
      ['T-failed', 'PAPER_OUT'],
      ['T-lost', PRINT_NOT_CONFIRMED],
      ['T-sms', SMS_NOT_TOLD],
    ]);
    expect(again.entry('sent')).toMatchObject({ step: 'cut', done: true });
    expect(again.open()).toEqual([]);
    again.close();
  });
});
