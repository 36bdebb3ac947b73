/**
 * A kiosk agent frozen (SIGSTOP) during a print, longer than its printer's confirmation timeout (10 s)
 * and than the server's print-confirm timeout (12 s here): the server voids the ticket meanwhile, the
 * printer (emulator, in this process) prints and cuts it. Resumed (SIGCONT), the agent finds its
 * timers expired; it must not void the ticket on that: it asks the printer's status again, the printer
 * answers ok, the agent sends PrintConfirmed and the server revives the ticket (waiting, its number).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openKioskPrintHall, within, type KioskPrintHall } from './daemon-process.js';

const VOIDED = 'kiosk ticket voided: its print was neither confirmed nor failed in time';
const REVIVED = 'kiosk ticket revived';
const PRINT_FAILED = 'print failed; voiding the number';

describe('a kiosk agent frozen during a print (SIGSTOP, then SIGCONT)', () => {
  let k: KioskPrintHall;
  beforeAll(async () => {
    k = await openKioskPrintHall('agent-freeze', (yaml) => yaml.replace('policy: {}', 'policy: { printConfirmTimeoutSeconds: 12 }').replace('  logLevel: info\n', '  logLevel: info\n  tickSeconds: 0.2\n'));
  }, 60_000);
  afterAll(async () => {
    const child = k?.hall.agent?.child;
    if (child?.pid !== undefined && child.exitCode === null) child.kill('SIGCONT');
    await k?.close();
  });

  it('the paper came out while it was frozen: on resume it confirms the print, the server revives the ticket', async () => {
    const agent = await k.hall.startAgent();
    const server = k.hall.server!;
    const before = new Set(Object.keys(await k.tickets()));
    const cut = k.printer.emulator.nextTicket();
    // Frozen once the whole ticket is on the wire: its last request, GS r 1 (the confirmation), has come.
    const begun = new Promise<void>((resolve) => {
      let seen = Buffer.alloc(0);
      const off = k.printer.device.onData((chunk) => {
        seen = Buffer.concat([seen, chunk]);
        if (seen.length > 3 && seen.includes(Buffer.of(0x1d, 0x72, 0x01))) {
          off();
          agent.child.kill('SIGSTOP');
          resolve();
        }
      });
    });
    const asked = fetch(`http://127.0.0.1:${k.hall.kioskPort}/kiosk/api/issue`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ serviceId: 'A' }) }).catch(() => undefined);
    await within(begun, 30_000, 'the ticket on the wire');
    // Frozen: the printer prints and cuts, the server's tick voids the unconfirmed ticket (12 s > the driver's 10 s).
    await within(cut, 30_000, 'the cut while the agent is frozen');
    await within(server.says(VOIDED), 60_000, 'the timeout void while the agent is frozen');
    const made = Object.keys(await k.tickets()).filter((id) => !before.has(id));
    expect(made).toHaveLength(1);
    const id = made[0]!;
    expect((await k.tickets())[id]?.status).toBe('voided');

    agent.child.kill('SIGCONT');
    // Whichever comes first: the revival (right) or the agent's own void (the old behaviour).
    const first = await within(
      Promise.race([server.says(REVIVED).then(() => 'revived'), agent.says(PRINT_FAILED).then(() => 'print-failed')]),
      60_000,
      'the agent settling the print after its resume',
    );
    expect(first).toBe('revived');
    expect((await k.tickets())[id]).toMatchObject({ status: 'waiting' });
    const answer = await asked;
    if (answer) expect(await answer.json()).toMatchObject({ printed: true });
  }, 180_000);
});
