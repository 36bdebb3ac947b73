import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordingLogger, type LogRecord } from '../../drivers/common/logger.js';
import { SerialTransport } from '../../drivers/common/serial-transport.js';
import { Keypad } from '../../drivers/keypad/driver.js';
import { Rs485Bus } from '../../drivers/rs485/bus.js';
import { attachCaller } from '../../src/agent/flows/caller.js';
import { KeypadRefusals, type KeyRefused } from '../../src/agent/flows/keypad-refusals.js';
import type { AgentLink, SentCommand } from '../../src/agent/link.js';
import { startEmbeddedBroker, type EmbeddedBroker } from '../../src/bus/embedded-broker.js';
import type { CommandBody } from '../../src/core/index.js';
import { hallClock, startAgent, startServer, tempDb, type ServerRig } from '../wire/rig.js';

/**
 * Tryout (README only): a keypad transfer, its cancel, and completing a ticket could not be rehearsed with
 * `hallq emulate rs485`, which had no key for them. Here the real command (its default line: a polled keypad
 * at windows 1–4) answers on a socat pty; on the other end the real bus, keypad driver and caller flow of
 * agent caller-1 (window 1) against a real server, whose hall state each key must change.
 */
describe('hallq emulate rs485: transfer, cancel and completion on a keypad, into the agent', () => {
  let broker: EmbeddedBroker;
  let server: ServerRig;
  let link: AgentLink;
  let child: ChildProcessWithoutNullStreams;
  let transport: SerialTransport;
  let bus: Rs485Bus;
  let keypad: Keypad;
  let detach: () => void;
  const logs: LogRecord[] = [];
  const refusals = new KeypadRefusals();
  const out: string[] = [];
  const waiters: { test: (l: string) => boolean; resolve: (l: string) => void }[] = [];
  /** The bytes the host read off the line (keypad reports and idle replies). */
  let heard = Buffer.alloc(0);

  const line = (test: (l: string) => boolean): Promise<string> => {
    const seen = out.find(test);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve) => waiters.push({ test, resolve }));
  };
  /** Types `text` on the emulator's stdin; resolves with its answer line. */
  const type = (text: string): Promise<string> => {
    out.length = 0;
    const answer = line((l) => l.startsWith('window ') || l.startsWith('? ') || l.startsWith('no keypad'));
    child.stdin.write(`${text}\n`);
    return answer;
  };
  const sentOf = (t: CommandBody['type']) =>
    new Promise<SentCommand>((resolve) => {
      const off = link.onSent((s) => {
        if (s.command.type === t) {
          off();
          resolve(s);
        }
      });
    });
  const refusal = () =>
    new Promise<KeyRefused>((resolve) => {
      const off = refusals.on((r) => {
        off();
        resolve(r);
      });
    });
  const ok = async (cmd: CommandBody) => {
    const o = await link.send(cmd);
    expect(o).toMatchObject({ ok: true });
    return o.ok ? o.ticketId : undefined;
  };
  const ticket = (id: string | undefined) => server.engine.state.tickets[id ?? ''];

  beforeAll(async () => {
    broker = await startEmbeddedBroker();
    server = await startServer(broker.url, tempDb(), hallClock());
    link = await startAgent(broker.url, 'caller-1');
    child = spawn(process.execPath, ['bin/hallq.js', 'emulate', 'rs485'], { stdio: ['pipe', 'pipe', 'pipe'] });
    child.stdout.setEncoding('utf8');
    let partial = '';
    child.stdout.on('data', (d: string) => {
      const lines = (partial + d).split('\n');
      partial = lines.pop() ?? '';
      for (const l of lines) {
        out.push(l);
        for (const w of [...waiters]) if (w.test(l)) waiters.splice(waiters.indexOf(w), 1) && w.resolve(l);
      }
    });
    const at = await line((l) => l.startsWith('point the driver'));
    await line((l) => l.startsWith('commands: '));
    transport = new SerialTransport({ path: at.slice(at.lastIndexOf(' ') + 1), baudRate: 9600 });
    await transport.open();
    bus = new Rs485Bus(transport, { turnaroundMs: 2 });
    bus.listen((chunk) => (heard = Buffer.concat([heard, chunk])));
    keypad = new Keypad({ address: 1, bus, pollIntervalMs: 15, pollTimeoutMs: 200, pollRetries: 1, offlinePollIntervalMs: 100 });
    // Keys are pressed once the keypad has answered idle: what it reported before that is dropped (press again).
    const online = new Promise<void>((resolve) => keypad.on((e) => e.type === 'online' && resolve()));
    keypad.start();
    await online;
    detach = attachCaller(link, 1, keypad, () => undefined, recordingLogger(logs), refusals);
  }, 60_000);

  afterAll(async () => {
    detach?.();
    if (child && child.exitCode === null) {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.stdin.end('q\n');
      await exited;
    }
    await keypad?.stop();
    bus?.close();
    await transport?.close();
    await link?.stop();
    await server?.stop();
    await broker?.close();
  });

  it('t 1 3: the ticket served at window 1 goes to window 3, as the transfer key, 3 and enter on the wire', async () => {
    const [t1, t2] = [await ok({ type: 'IssueTicket', serviceId: 'A', delivery: 'none' }), await ok({ type: 'IssueTicket', serviceId: 'A', delivery: 'none' })];
    await ok({ type: 'IssueTicket', serviceId: 'A', delivery: 'none' });
    await ok({ type: 'OpenWindow', window: 1, staffId: 's1' });
    await ok({ type: 'OpenWindow', window: 3, staffId: 's3' });
    expect(await ok({ type: 'CallNext', window: 1 })).toBe(t1);
    heard = Buffer.alloc(0);
    const sent = sentOf('Transfer');
    expect(await type('t 1 3')).toBe('window 1: transfer, 3, enter pressed');
    const s = await sent;
    expect(s.command).toMatchObject({ type: 'Transfer', window: 1, toService: 'A', toWindow: 3, source: 'caller-keypad' });
    expect((await s.answer).outcome).toMatchObject({ ok: true, ticketId: t1 });
    expect(ticket(t1)).toMatchObject({ status: 'waiting', targetWindow: 3, transfers: 1 });
    expect(server.engine.state.windows['1']?.current).toBeUndefined();
    // The three frames, in order, between the keypad's idle replies (9E 01 FE).
    // (A frame whose echo came late is reported again: at-least-once.)
    const [transfer, three, enter, idle] = ['ff680303680101131516', 'ff680303680101030516', 'ff6803036801010f1116', '9e01fe'];
    expect(heard.toString('hex')).toMatch(new RegExp(`${transfer}(${transfer}|${idle})*${three}(${three}|${idle})*${enter}`));
    // Window 1 passes it by; window 3 calls it.
    expect(await ok({ type: 'CallNext', window: 1 })).toBe(t2);
    expect(await ok({ type: 'CallNext', window: 3 })).toBe(t1);
  }, 60_000);

  it('t 1, then x 1: the transfer is cancelled, the number typed next is no window, and the ticket stays', async () => {
    const t2 = server.engine.state.windows['1']?.current;
    expect(ticket(t2)).toMatchObject({ status: 'called', window: 1 });
    let transfers = 0;
    const off = link.onSent((s) => void (s.command.type === 'Transfer' && transfers++));
    try {
      expect(await type('t 1')).toMatch(/^window 1: transfer pressed/);
      expect(await type('x 1')).toBe('window 1: cancel pressed');
      const refused = refusal();
      expect(await type('d 1 3')).toBe('window 1: 3 pressed');
      expect(await type('k 1')).toBe('window 1: enter pressed');
      // Read as a staff number once the transfer was cancelled: nobody has 3 here.
      expect(await refused).toMatchObject({ window: 1, input: 'login', outcome: { code: 'unknown-staff' } });
      await line((l) => l === '⌨  window 1 keypad (@1) beeps');
      expect(logs.some((r) => r.msg === 'transfer cancelled on the keypad')).toBe(true);
      expect(transfers).toBe(0);
      expect(ticket(t2)).toMatchObject({ status: 'called', window: 1, transfers: 0 });
    } finally {
      off();
    }
  }, 60_000);

  it('x 1 with no transfer waiting and m 1: the agent refuses them (key-no-action) and the keypad beeps', async () => {
    let refused = refusal();
    expect(await type('x 1')).toBe('window 1: cancel pressed');
    expect(await refused).toMatchObject({ window: 1, input: 'cancel', outcome: { code: 'key-no-action' } });
    await line((l) => l === '⌨  window 1 keypad (@1) beeps');
    refused = refusal();
    expect(await type('m 1')).toBe('window 1: one-metre line pressed');
    expect(await refused).toMatchObject({ window: 1, input: 'one-metre-line', outcome: { code: 'key-no-action' } });
  }, 60_000);

  it('completion: c 1 completes the ticket served and calls the next, z 1 (0 + enter) completes it and pauses', async () => {
    const t2 = server.engine.state.windows['1']?.current;
    let sent = sentOf('CallNext');
    expect(await type('c 1')).toBe('window 1: call pressed');
    expect((await (await sent).answer).outcome).toMatchObject({ ok: true });
    expect(ticket(t2)).toMatchObject({ status: 'done' });
    const t3 = server.engine.state.windows['1']?.current;
    expect(ticket(t3)).toMatchObject({ status: 'called', window: 1 });
    sent = sentOf('PauseWindow');
    expect(await type('z 1')).toBe('window 1: pause (0 + enter) pressed');
    expect((await (await sent).answer).outcome).toMatchObject({ ok: true });
    expect(ticket(t3)).toMatchObject({ status: 'done' });
    expect(server.engine.state.windows['1']).toMatchObject({ status: 'paused' });
  }, 60_000);

  it('h lists the commands, the new ones too; a word too many is no command', async () => {
    out.length = 0;
    child.stdin.write('h\n');
    const help = await line((l) => l.startsWith('commands: '));
    expect(help).toContain('c|r|n|p|z|u|e <window>');
    await line((l) => l.includes('a keypad has no complete key'));
    for (const row of ['t <window> <to>', 'x <window>', 'm <window>', 'd <window> <digits>', 'k <window>']) expect(out.some((l) => l.trimStart().startsWith(row))).toBe(true);
    expect(await type('t 1 3 4')).toBe('? t 1 3 4 — h lists the commands');
    expect(await type('t 9 3')).toBe('no keypad at window 9');
  }, 60_000);
});
