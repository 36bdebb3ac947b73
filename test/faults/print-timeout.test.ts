/**
 * The print-confirm timeout with the real processes (`hallq server`, `hallq agent`), real Mosquitto,
 * the agent's printer on a pty (ESC/POS emulator) and its kiosk journal in SQLite: a kiosk ticket
 * whose agent never settles its print is voided by the server's tick (policy.printConfirmTimeoutSeconds,
 * 2 s here, ticks every 0.2 s), logged with its reason; when the agent comes back with the cut in its
 * journal, or with the print's bytes sent (the agent killed right after them), the ticket waits again
 * with its number; with nothing sent, it stays voided.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openKioskPrintHall, within, type KioskPrintHall, type ProcessHall } from './daemon-process.js';

const SETTLED = 'kiosk prints left open by the last run settled';
const VOIDED = 'kiosk ticket voided: its print was neither confirmed nor failed in time';
const REVIVED = 'kiosk ticket revived';

describe('print-confirm timeout on the real server (a kiosk agent that does not come back in time)', () => {
  let k: KioskPrintHall;
  let hall: ProcessHall;
  beforeAll(async () => {
    k = await openKioskPrintHall('print-timeout', (yaml) => yaml.replace('policy: {}', 'policy: { printConfirmTimeoutSeconds: 2 }').replace('  logLevel: info\n', '  logLevel: info\n  tickSeconds: 0.2\n'));
    hall = k.hall;
  }, 60_000);
  afterAll(async () => {
    await k?.close();
  });
  const tickets = () => k.tickets();

  it('the citizen holds the paper, the agent is gone: voided by the tick and logged; the agent returns with the cut: the ticket waits with its number', async () => {
    await hall.startAgent();
    // The server dies during the print; the cut is journaled and the citizen told OK, then the agent dies
    // before PrintConfirmed reached anyone: the server comes back to a ticket nobody will confirm soon.
    const answer = (await (await k.issueKillingMidPrint('server'))!.json()) as { ticketId: string; number: string; printed: boolean };
    expect(answer.printed).toBe(true);
    await hall.agent!.kill();
    const server = await hall.startServer();
    expect((await tickets())[answer.ticketId]?.status).toBe('issued');

    await within(server.says(VOIDED), 30_000, 'the timeout void');
    const line = server
      .output()
      .split('\n')
      .find((l) => l.includes(VOIDED));
    expect(JSON.parse(line!)).toMatchObject({ level: 40, ticketId: answer.ticketId, number: answer.number, reason: 'print-confirm-timeout', timeoutS: 2 });
    expect((await tickets())[answer.ticketId]?.status).toBe('voided');

    // The agent's start settles its journal: the cut is confirmed, and the server takes it over the void.
    const agent = await hall.startAgent();
    await within(agent.says(SETTLED), 60_000, 'the journal settled');
    expect(agent.output()).toContain('"confirmed":1');
    await within(server.says(REVIVED), 30_000, 'the revival');
    expect((await tickets())[answer.ticketId]).toMatchObject({ status: 'waiting', number: answer.number });
  }, 180_000);

  it('the agent dies right after the bytes reached the printer and stays away: voided by the tick; when it returns, it confirms the sent print and the ticket waits again', async () => {
    const before = new Set(Object.keys(await tickets()));
    const server = hall.server!;
    const mark = server.output().length;
    expect(await k.issueKillingMidPrint('agent')).toBeUndefined();
    const made = Object.entries(await tickets()).filter(([id]) => !before.has(id));
    expect(made).toHaveLength(1);
    const [id, t] = made[0]!;
    await within(server.says(new RegExp(`^(?=.*"ticketId":"${id}")(?=.*${VOIDED}).*$`, 'm'), mark), 30_000, 'the timeout void of the sent ticket');
    expect((await tickets())[id]?.status).toBe('voided');

    const agent = await hall.startAgent();
    await within(agent.says(SETTLED), 60_000, 'the journal settled');
    expect(agent.output()).toContain('"sentKept":1');
    await within(server.says(REVIVED, mark), 30_000, 'the revival of the sent ticket');
    expect((await tickets())[id]).toMatchObject({ status: 'waiting', number: t.number });
  }, 180_000);

  it('the agent dies before any byte was sent and stays away: voided by the tick; when it returns, its own void finds the ticket voided and changes nothing', async () => {
    const server = hall.server!;
    const mark = server.output().length;
    const id = await k.issueKillingBeforeBytes();
    await within(server.says(new RegExp(`^(?=.*"ticketId":"${id}")(?=.*${VOIDED}).*$`, 'm'), mark), 30_000, 'the timeout void of the never-sent ticket');
    expect((await tickets())[id]?.status).toBe('voided');

    const agent = await hall.startAgent();
    await within(agent.says(SETTLED), 60_000, 'the journal settled');
    // Its PrintFailed is refused (already voided): settled all the same, nothing revived.
    expect(agent.output()).toContain('"voided":0');
    expect((await tickets())[id]?.status).toBe('voided');
    expect(server.output().slice(mark)).not.toContain(REVIVED);
  }, 180_000);
});
