/**
 * The agent's /livez, /readyz and /metrics, and `systemctl reload hallq-agent` (SIGHUP), on a real
 * `hallq agent` process beside a real server process and a real Mosquitto, with an emulated printer and
 * RS-485 line on ptys: the devices it reports are the ones it opened, `hallq devices` on the same box states
 * the ports the agent holds as the agent reports them, a reload that adds a line opens it (the link stays),
 * an invalid file is refused and the agent runs on.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeviceHealth } from '../../src/bus/messages.js';
import { topics } from '../../src/bus/topics.js';
import { emulatedLine, emulatedPrinter, type EmulatedLine, type EmulatedPrinter } from '../agent/emulated.js';
import { runHallq } from '../helpers/cli.js';
import { spawnHallq, type Daemon } from '../helpers/hallq-process.js';
import { freePort, startMosquitto, type Broker } from '../helpers/mosquitto.js';
import { killHard, startServerProcess, writeConfig } from '../wire/server-process.js';

/** One `name value` sample of Prometheus text, or undefined. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const body = line.slice(name.length + 1, line.lastIndexOf('}'));
    const got = Object.fromEntries([...body.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([k, v]) => got[k] === v)) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return undefined;
}

describe('the agent: health, metrics and reload on a running process', () => {
  let broker: Broker;
  let server: ChildProcess;
  let agent: Daemon;
  let printer: EmulatedPrinter;
  let line: EmulatedLine | undefined;
  let watcher: MqttClient;
  let dir: string;
  let agentConfig: string;
  let base: string;
  /** The devices the agent last published (retained), and a wait for a list that satisfies `pred`. */
  let published: DeviceHealth[] = [];
  let onPublished = () => {};
  const devicesWhere = (pred: (l: DeviceHealth[]) => boolean) =>
    new Promise<DeviceHealth[]>((resolve) => {
      const check = () => {
        if (pred(published)) resolve(published);
      };
      onPublished = check;
      check();
    });
  const stateOf = (l: DeviceHealth[], name: string) => l.find((d) => d.name === name)?.state;

  const agentYaml = (serverYaml: string, healthPort: number, devices: string) =>
    serverYaml.replace(/agents:\n(?: {2}- .*\n)+/, `agents:\n  - { id: kiosk-1, devices: ${devices} }\n  - { id: kiosk-2 }\n`) + `agent:\n  id: kiosk-1\n  mqtt: { url: "${broker.url}" }\n  health: { host: 127.0.0.1, port: ${healthPort} }\n`;

  beforeAll(async () => {
    broker = await startMosquitto();
    dir = mkdtempSync(join(tmpdir(), 'hallq-agent-health-'));
    const serverConfig = writeConfig(dir, broker.url, await freePort());
    server = await startServerProcess(serverConfig);
    printer = await emulatedPrinter(join(dir, 'printer'));
    const healthPort = await freePort();
    base = `http://127.0.0.1:${healthPort}`;
    agentConfig = join(dir, 'agent.yaml');
    writeFileSync(agentConfig, agentYaml(readFileSync(serverConfig, 'utf8'), healthPort, `{ printer: { transport: serial, path: ${join(dir, 'printer')} } }`));
    watcher = await mqtt.connectAsync(broker.url, { protocolVersion: 4 });
    watcher.on('message', (_t, payload) => {
      const body = JSON.parse(payload.toString()) as DeviceHealth[] | { devices: DeviceHealth[] };
      published = Array.isArray(body) ? body : body.devices;
      onPublished();
    });
    await watcher.subscribeAsync(topics('wire-hall').agentDevices('kiosk-1'), { qos: 1 });
    agent = spawnHallq(['agent', '--config', agentConfig]);
    await agent.says('agent ready');
  }, 90_000);

  afterAll(async () => {
    await agent?.kill();
    if (server && server.exitCode === null) await killHard(server);
    await watcher?.endAsync();
    await line?.close();
    await printer?.unplug();
    await broker?.stop();
  });

  it('answers /livez and /readyz, and /metrics has its devices, its link, build info and process metrics', async () => {
    await devicesWhere((l) => stateOf(l, 'printer') === 'ok');
    expect((await fetch(`${base}/livez`)).status).toBe(200);
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ ok: true, status: 'ready', broker: 'connected', devices: { ok: 1, offline: [], total: 1 } });
    const m = await fetch(`${base}/metrics`);
    expect(m.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await m.text();
    expect(sample(text, 'hallq_device_up', { agent: 'kiosk-1', device: 'printer', kind: 'escpos-serial' })).toBe(1);
    expect(text).toMatch(/^hallq_mqtt_connected 1$/m);
    expect(text).toMatch(/^hallq_build_info\{version="\d+\.\d+\.\d+[^"]*",node="[\d.]+"\} 1$/m);
    expect(text).toMatch(/^process_cpu_user_seconds_total /m);
    expect(text).toMatch(/^nodejs_heap_size_used_bytes /m);
    // Counters end in _total (Prometheus naming).
    for (const [, name] of text.matchAll(/^# TYPE (\S+) counter$/gm)) expect(name).toMatch(/_total$/);
    // A printer out of paper: 0, and /readyz says degraded naming it (still 200: the kiosk offers SMS tickets).
    printer.emulator.set({ paper: 'out' });
    await devicesWhere((l) => stateOf(l, 'printer') === 'offline');
    expect(sample(await (await fetch(`${base}/metrics`)).text(), 'hallq_device_up', { device: 'printer' })).toBe(0);
    const degraded = await fetch(`${base}/readyz`);
    expect(degraded.status).toBe(200);
    expect(await degraded.json()).toMatchObject({ status: 'degraded', devices: { offline: ['printer'] } });
    printer.emulator.set({ paper: 'ok' });
    await devicesWhere((l) => stateOf(l, 'printer') === 'ok');
  }, 60_000);

  it('`hallq devices` on the live box states the printer the agent holds as the agent sees it: ok, then paper out (exit 1)', async () => {
    type Listed = { devices: { name: string; state: string; reason?: string; detail?: string; heldByAgent?: boolean }[] };
    const printerOf = (stdout: string) => (JSON.parse(stdout) as Listed).devices.find((d) => d.name === 'printer');
    await devicesWhere((l) => stateOf(l, 'printer') === 'ok');
    const ok = await runHallq(['devices', '--config', agentConfig, '--json']);
    expect(printerOf(ok.stdout)).toMatchObject({ state: 'ok', heldByAgent: true, detail: `as the running agent reports it (${base}/readyz), which holds its port` });
    expect(ok.code).toBe(0);
    printer.emulator.set({ paper: 'out' });
    await devicesWhere((l) => stateOf(l, 'printer') === 'offline');
    const out = await runHallq(['devices', '--config', agentConfig, '--json']);
    // Not `in-use` (which says nothing of the paper): the agent's own state, reason and detail.
    expect(printerOf(out.stdout)).toMatchObject({ state: 'offline', reason: 'paper-out', heldByAgent: true, detail: expect.stringContaining('as the running agent reports it') as string });
    expect(out.code).toBe(1);
    const text = await runHallq(['devices', '--config', agentConfig]);
    expect(text.stdout).toMatch(/printer\s+escpos-serial\s+offline\s+paper out \(缺纸\)\s+.*as the running agent reports it/);
    printer.emulator.set({ paper: 'ok' });
    await devicesWhere((l) => stateOf(l, 'printer') === 'ok');
  }, 60_000);

  it('SIGHUP opens a line added to the file, keeps its link, and refuses an invalid file', async () => {
    line = await emulatedLine([1], join(dir, 'rs485'));
    const text = readFileSync(agentConfig, 'utf8');
    writeFileSync(
      agentConfig,
      text.replace(`devices: { printer:`, `devices: { rs485: [{ path: ${join(dir, 'rs485')}, screens: [{ window: 1, address: 1 }], keypads: [{ window: 1, address: 1 }] }], printer:`),
    );
    let mark = agent.output().length;
    agent.child.kill('SIGHUP');
    await agent.says('config reloaded: devices and kiosk reopened', mark);
    const list = await devicesWhere((l) => stateOf(l, 'keypad-1') === 'ok' && stateOf(l, 'printer') === 'ok');
    expect(list.map((d) => d.name).sort()).toEqual(['keypad-1', 'printer', 'rs485-0', 'screen-1']);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(sample(metrics, 'hallq_device_up', { device: 'keypad-1', kind: 'keypad-both' })).toBe(1);
    expect(sample(metrics, 'hallq_config_reloads_total', { outcome: 'applied' })).toBe(1);
    // The broker link stayed up through the reload: no reconnect.
    expect(metrics).toMatch(/^hallq_mqtt_reconnects_total 0$/m);

    // The same file again: nothing reopened.
    mark = agent.output().length;
    agent.child.kill('SIGHUP');
    await agent.says('devices and kiosk are unchanged', mark);

    // An invalid file: refused with its key path, and the agent runs on with its devices.
    writeFileSync(agentConfig, readFileSync(agentConfig, 'utf8').replace(`screens: [{ window: 1, address: 1 }]`, `screens: [{ window: 1, address: -5 }]`));
    mark = agent.output().length;
    agent.child.kill('SIGHUP');
    await agent.says('config reload refused', mark);
    expect(agent.output().slice(mark)).toContain('screens[0].address');
    expect(agent.child.exitCode).toBeNull();
    expect(await (await fetch(`${base}/readyz`)).json()).toMatchObject({ ok: true, devices: { total: 4 } });
    // Counted as refused on /metrics (the file failed before the agent's reload was asked).
    const m = await (await fetch(`${base}/metrics`)).text();
    expect(sample(m, 'hallq_config_reloads_total', { outcome: 'refused' })).toBe(1);
    // No island mode configured here: the gauge is there all the same, at 0.
    expect(m).toMatch(/^hallq_island 0$/m);
  }, 60_000);

  it('a keypad unplugged is offline with its reason (no-reply) in the list, the metrics and `hallq devices`; plugged back, ok', async () => {
    if (!line) throw new Error('the line of the test before is not there');
    // The file the test before left invalid, valid again (the running agent still has the valid one).
    writeFileSync(agentConfig, readFileSync(agentConfig, 'utf8').replace(`screens: [{ window: 1, address: -5 }]`, `screens: [{ window: 1, address: 1 }]`));
    line.unplugKeypad(1);
    const list = await devicesWhere((l) => stateOf(l, 'keypad-1') === 'offline');
    expect(list.find((d) => d.name === 'keypad-1')).toMatchObject({ state: 'offline', reason: 'no-reply', detail: 'DEVICE_TIMEOUT' });
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(sample(metrics, 'hallq_device_problem', { device: 'keypad-1', kind: 'keypad-both', reason: 'no-reply' })).toBe(1);
    const text = await runHallq(['devices', '--config', agentConfig]);
    expect(text.stdout, JSON.stringify(text)).toMatch(/keypad-1\s+keypad-both\s+offline\s+no status reply \(无状态应答\)/);
    line.plugKeypad(1);
    await devicesWhere((l) => stateOf(l, 'keypad-1') === 'ok');
  }, 60_000);
});
