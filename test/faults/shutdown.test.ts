/**
 * issue 10, fault 5: shutdown is bounded. `hallq server` exits on SIGTERM while pages hold its event
 * stream open, and server and agent exit on SIGTERM while the broker is down (no wait for a publish
 * acknowledgement that cannot come). Real processes, real Mosquitto. The bound (10 s) is far above a
 * clean stop and far below systemd's stop timeout (90 s): it tells "exits" from "hangs".
 */
import http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { ProcessHall, within } from './daemon-process.js';

const BOUND_MS = 10_000;
let current: ProcessHall | undefined;

afterEach(async () => {
  await current?.close();
  current = undefined;
});

async function hall(): Promise<ProcessHall> {
  current = await ProcessHall.open('shutdown');
  return current;
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
    const h = await hall();
    const server = await h.startServer();
    const streams = await Promise.all([openStream(h.httpPort), openStream(h.httpPort), openStream(h.httpPort)]);
    server.child.kill('SIGTERM');
    const exit = await within(server.exited, BOUND_MS, 'server exit with streams open');
    expect(exit).toEqual({ code: 0, signal: null });
    expect(server.output()).toContain('hall server stopped');
    for (const s of streams) s.destroy();
  }, 60_000);

  it('hallq server exits on SIGTERM while the broker is down', async () => {
    const h = await hall();
    const server = await h.startServer();
    await h.broker.stop();
    // READY comes as soon as HTTP serves, maybe before the broker link: the link's first loss either way.
    await server.says(/broker (connection lost|unreachable); reconnecting/);
    server.child.kill('SIGTERM');
    const exit = await within(server.exited, BOUND_MS, 'server exit with the broker down');
    expect(exit).toEqual({ code: 0, signal: null });
  }, 60_000);

  it('hallq agent exits on SIGTERM with the kiosk page holding its event stream open', async () => {
    const h = await hall();
    await h.startServer();
    const agent = await h.startAgent();
    const stream = await openStream(h.kioskPort, '/kiosk/api/stream');
    agent.child.kill('SIGTERM');
    const exit = await within(agent.exited, BOUND_MS, 'agent exit with the kiosk stream open');
    expect(exit).toEqual({ code: 0, signal: null });
    // Its stop logged, as the server logs its own.
    expect(agent.output()).toContain('"msg":"agent stopped"');
    stream.destroy();
  }, 60_000);

  it('hallq agent exits on SIGTERM while the broker is down', async () => {
    const h = await hall();
    await h.startServer();
    const agent = await h.startAgent();
    await h.broker.stop();
    await agent.says('broker connection lost');
    // Ctrl-C in a terminal: the same clean stop, logged.
    agent.child.kill('SIGINT');
    const exit = await within(agent.exited, BOUND_MS, 'agent exit with the broker down');
    expect(exit).toEqual({ code: 0, signal: null });
    expect(agent.output()).toContain('"msg":"agent stopped"');
  }, 60_000);
});
