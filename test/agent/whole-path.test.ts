import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../drivers/common/logger.js';
import type { PrintedTicket } from '../../drivers/printer/document.js';
import { KioskFlow } from '../../src/agent/flows/kiosk.js';
import { startAgentFrom, type RunningAgent } from '../../src/agent/main.js';
import { startEmbeddedBroker, type EmbeddedBroker } from '../../src/bus/embedded-broker.js';
import type { DeviceHealth } from '../../src/bus/messages.js';
import { topics } from '../../src/bus/topics.js';
import { configSchema } from '../../src/config/schema.js';
import { hallClock, type ServerRig, startServer, tempDb, wireConfig, wireHallFile } from '../wire/rig.js';
import { emulatedLine, emulatedPrinter, healthWhen, lineConfig, screenShows, stateOf, type EmulatedLine, type EmulatedPrinter } from './emulated.js';

const textsOf = (t: PrintedTicket) => t.blocks.flatMap((b) => (b.type === 'text' ? [b.text] : []));

describe('the whole path: emulated keypads, bus, broker, server, and back to the screens and the printer', () => {
  let broker: EmbeddedBroker;
  let server: ServerRig;
  let printer: EmulatedPrinter;
  let line: EmulatedLine;
  let agent: RunningAgent;
  const clock = hallClock();

  beforeAll(async () => {
    broker = await startEmbeddedBroker({ port: 0 });
    const dir = mkdtempSync(join(tmpdir(), 'hallq-agent-'));
    printer = await emulatedPrinter(join(dir, 'printer'));
    line = await emulatedLine([1, 2]);
    const config = configSchema.parse({
      ...wireHallFile(),
      // The hall's one agent: its hardware (what the server lets it do) and this box's settings.
      agents: [{ id: 'kiosk-9', kiosk: { port: 0 }, devices: { printer: { transport: 'serial', path: join(dir, 'printer') }, rs485: [lineConfig(line.pty.host, [1, 2])] } }],
      agent: { id: 'kiosk-9', mqtt: { url: broker.url } },
    });
    server = await startServer(broker.url, tempDb(), clock, [], { agents: config.agents });
    agent = await startAgentFrom(config, { logger: silentLogger, env: {}, requestTimeoutMs: 1500, devices: { printerPollMs: 500 } });
  });

  afterAll(async () => {
    await agent?.stop();
    await line?.close();
    await printer?.unplug();
    await server?.stop();
    await broker?.close();
  });

  it('publishes device health, logs staff in from a keypad, prints kiosk tickets and shows a keypad call on the LED screen', async () => {
    await healthWhen(agent.devices, (l) => stateOf(l, 'printer') === 'ok' && stateOf(l, 'keypad-2') === 'ok');

    // The health the agent published (retained) on the broker.
    const watcher = await mqtt.connectAsync(broker.url, { protocolVersion: 4 });
    const published = new Promise<DeviceHealth[]>((resolve) =>
      watcher.on('message', (_t, payload) => {
        const list = JSON.parse(payload.toString()) as DeviceHealth[];
        if (stateOf(list, 'printer') === 'ok') resolve(list);
      }),
    );
    await watcher.subscribeAsync(topics(wireConfig.id).agentDevices('kiosk-9'));
    expect((await published).map((d) => d.name)).toContain('screen-2');
    await watcher.endAsync();

    // Staff number 2 logs in on window 2's keypad: the window opens on the server.
    const keypad2 = line.keypads.get(2);
    const opened = new Promise<void>((resolve) => agent.link.onEvent((e) => e.type === 'WindowOpened' && e.window === 2 && resolve()));
    keypad2?.typeLogin('2');
    await opened;
    expect(server.engine.state.windows[2]?.staffId).toBe('s2');

    // Two citizens take tickets at the kiosk: each printed with number, service, position and window.
    const kiosk = new KioskFlow(agent.link, agent.devices.printer, { statusBaseUrl: 'http://hall.test', logger: silentLogger, clock });
    const first = printer.emulator.nextTicket();
    const r1 = await kiosk.issue({ serviceId: 'A' });
    const t1 = textsOf(await first);
    const second = printer.emulator.nextTicket();
    const r2 = await kiosk.issue({ serviceId: 'B' });
    const t2 = textsOf(await second);
    expect(r1).toMatchObject({ ok: true, printed: true, number: 'A001', position: 1, windows: [2] });
    expect(r2).toMatchObject({ ok: true, printed: true, number: 'B001', position: 2 });
    expect(t1).toContain('A001');
    expect(t1).toContain('社保 Social');
    expect(t1).toContain('前面还有 0 人 · 等待顺序 1');
    expect(t1).toContain('请到 2 号窗口等候');
    expect(t2).toContain('B001');
    expect(t2).toContain('医保 Medical');
    expect(t2).toContain('前面还有 1 人 · 等待顺序 2');
    // The QR holds the status page's unguessable token (issue 9), not the day and number.
    expect((await first).blocks.some((b) => b.type === 'qr' && /^http:\/\/hall\.test\/s\/[A-Za-z0-9_-]{43}$/.test(b.data))).toBe(true);

    // The call key on window 2's keypad: over the 9600-baud bus, the broker, the server, and back to window 2's screen.
    keypad2?.press('call');
    expect(await screenShows(line.screens.get(2) as never, 'A001')).toContain('2号窗口');
    expect(Object.values(server.engine.state.tickets).find((t) => t.number === 'A001')?.status).toBe('called');
    // Window 1's screen never shows it.
    expect(line.screens.get(1)?.view.text ?? '').not.toContain('A001');
  });
});
