/**
 * An agent started while its broker is away (a hall box that boots before the broker's box): the
 * process stays up, retrying with backoff, and its health listener already answers — /livez 200,
 * /readyz 503 "starting" — instead of exiting silently before it was ever ready (it exited with
 * code 13 once its only reconnect timer was unref'd).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { spawnHallq, type Daemon } from '../helpers/hallq-process.js';
import { freePort } from '../helpers/mosquitto.js';
import { writeConfig } from '../wire/server-process.js';

describe('an agent whose broker is away at start', () => {
  let agent: Daemon | undefined;
  afterAll(async () => {
    await agent?.kill();
  });

  it('keeps retrying with backoff and answers /livez, with /readyz 503 until it is ready', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hallq-agent-away-'));
    // Nothing listens on the broker's port.
    const brokerUrl = `mqtt://127.0.0.1:${await freePort()}`;
    const healthPort = await freePort();
    const file = join(dir, 'agent.yaml');
    // The kiosk on a port of its own: the default 8081 may be another test's agent or demo, and the kiosk's
    // port is checked before the broker link (the agent would end with LISTEN_FAILED, not retry).
    const hall = readFileSync(writeConfig(dir, brokerUrl, await freePort()), 'utf8').replace('{ id: kiosk-1, kiosk: {},', `{ id: kiosk-1, kiosk: { port: ${await freePort()} },`);
    expect(hall).toContain('{ id: kiosk-1, kiosk: { port: ');
    writeFileSync(file, `${hall}agent:\n  id: kiosk-1\n  mqtt: { url: "${brokerUrl}" }\n  health: { host: 127.0.0.1, port: ${healthPort} }\n`);
    const d = (agent = spawnHallq(['agent', '--config', file]));
    // The third backoff announced: the process outlived two failed connects (says() rejects, with the output, if it exits first).
    await d.says(/(?:reconnecting after backoff[\s\S]*){3}/);
    expect(d.child.exitCode).toBeNull();
    expect((await fetch(`http://127.0.0.1:${healthPort}/livez`)).status).toBe(200);
    const ready = await fetch(`http://127.0.0.1:${healthPort}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ ok: false, status: 'starting', broker: 'disconnected' });
  }, 60_000);
});
