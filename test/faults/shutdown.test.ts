/**
 * issue 10, fault 5: shutdown is bounded. `hallq server` exits on SIGTERM while pages hold its event
 * stream open, and server and agent exit on SIGTERM while the broker is down (no wait for a publish
 * acknowledgement that cannot come). Real processes, real Mosquitto. The bound (10 s) is far above a
 * clean stop and far below systemd's stop timeout (90 s): it tells "exits" from "hangs".
 */
import http from 'node:http';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort, startMosquitto, type Broker } from '../helpers/mosquitto.js';
import { startDaemon, within, writeHallConfig, type Daemon } from './daemon-process.js';

const BOUND_MS = 10_000;
let broker: Broker | undefined;
const daemons: Daemon[] = [];

afterEach(async () => {
  for (const d of daemons.splice(0)) if (d.child.exitCode === null && d.child.signalCode === null) d.child.kill('SIGKILL');
  await broker?.stop();
  broker = undefined;
});

async function hall() {
  broker = await startMosquitto();
  const httpPort = await freePort();
  const kioskPort = await freePort();
  const config = writeHallConfig(mkdtempSync(join(tmpdir(), 'hallq-shutdown-')), broker.url, httpPort, kioskPort);
  return { config, httpPort, kioskPort };
}

/** Opens the display's event stream and resolves once its first snapshot has arrived (the page is live). */
function openStream(port: number, path = '/api/stream'): Promise<http.ClientRequest> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path }, (res) => {
      res.setEncoding('utf8');
      res.once('data', () => resolve(req));
      res.on('error', () => undefined);
    });
    req.on('error', reject);
  });
}

describe('fault 5: bounded shutdown', () => {
  it('hallq server exits on SIGTERM with pages holding the event stream open', async () => {
    const { config, httpPort } = await hall();
    const server = startDaemon('server', config);
    daemons.push(server);
    await server.says('hall server ready');
    const streams = await Promise.all([openStream(httpPort), openStream(httpPort), openStream(httpPort)]);
    server.child.kill('SIGTERM');
    const exit = await within(server.exited, BOUND_MS, 'server exit with streams open');
    expect(exit).toEqual({ code: 0, signal: null });
    expect(server.output()).toContain('hall server stopped');
    for (const s of streams) s.destroy();
  }, 60_000);

  it('hallq server exits on SIGTERM while the broker is down', async () => {
    const { config } = await hall();
    const server = startDaemon('server', config);
    daemons.push(server);
    await server.says('hall server ready');
    await broker!.stop();
    // READY comes as soon as HTTP serves, maybe before the broker link: the link's first loss either way.
    await server.says(/broker (connection lost|unreachable); reconnecting/);
    server.child.kill('SIGTERM');
    const exit = await within(server.exited, BOUND_MS, 'server exit with the broker down');
    expect(exit).toEqual({ code: 0, signal: null });
  }, 60_000);

  it('hallq agent exits on SIGTERM with the kiosk page holding its event stream open', async () => {
    const { config, kioskPort } = await hall();
    const server = startDaemon('server', config);
    daemons.push(server);
    await server.says('hall server ready');
    const agent = startDaemon('agent', config);
    daemons.push(agent);
    await agent.says('agent ready');
    const stream = await openStream(kioskPort, '/kiosk/api/stream');
    agent.child.kill('SIGTERM');
    const exit = await within(agent.exited, BOUND_MS, 'agent exit with the kiosk stream open');
    expect(exit).toEqual({ code: 0, signal: null });
    stream.destroy();
  }, 60_000);

  it('hallq agent exits on SIGTERM while the broker is down', async () => {
    const { config } = await hall();
    const server = startDaemon('server', config);
    daemons.push(server);
    await server.says('hall server ready');
    const agent = startDaemon('agent', config);
    daemons.push(agent);
    await agent.says('agent ready');
    await broker!.stop();
    await agent.says('broker connection lost');
    agent.child.kill('SIGTERM');
    const exit = await within(agent.exited, BOUND_MS, 'agent exit with the broker down');
    expect(exit).toEqual({ code: 0, signal: null });
  }, 60_000);
});
