import type { ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topics } from '../../src/bus/topics.js';
import { freePort, startMosquitto, type Broker } from '../helpers/mosquitto.js';
import { killHard, startServerProcess, writeConfig } from './server-process.js';

/**
 * Client ids a sender chose, as the server's log carries them (a request's topic names its client): a
 * phone number grouped or with a letter after it reached the journal (only 7 plain digits in a row were
 * withheld), and an agent's request id, a UUID, was withheld whenever its hex held 7 digits in a row. Now
 * they are read by the project's one definition of typed personal numbers: a mobile or an ID in an id is
 * masked as typed text is, full-width digits are withheld, and the ids hallq and its agents make stay
 * readable. A real server process and Mosquitto; the ids sent as requests that do not parse.
 */
const masked = {
  li_138_1234_5678: 'li_138****5678',
  'kiosk-13812345678x': 'kiosk-138****5678x',
  'li-310104-19900307-2312': 'li-310104********2312',
};
const withheld = ['kiosk-１３８１２３４５６７８', 'li_１３８_１２３４_５６７８', 'x_1234567'];
const readable = ['agent-kiosk-1', 'window-12', '550e8400-e29b-41d4-a716-446655440000', 'c0a80101-0000-1000-8000-00805f9b34fb', 'hallq-server-1a2b3c'];

describe('client ids in the server log', () => {
  let broker: Broker;
  let server: ChildProcess | undefined;
  const output: { stdout: string; onData?: () => void } = { stdout: '' };
  beforeAll(async () => {
    broker = await startMosquitto();
    server = await startServerProcess(writeConfig(mkdtempSync(join(tmpdir(), 'hallq-log-ids-')), broker.url, await freePort()), output);
  });
  afterAll(async () => {
    if (server) await killHard(server);
    await broker?.stop();
  });

  it('masks a personal number in an id as the rest of the log does, withholds full-width digits, and keeps ordinary ids readable', async () => {
    const ids = [...Object.keys(masked), ...withheld, ...readable];
    const raw = await mqtt.connectAsync(broker.url, { protocolVersion: 4 });
    for (const id of ids) await raw.publishAsync(topics('wire-hall').request(id), 'not json', { qos: 1 });
    await raw.endAsync();
    // Wait for the event: one 'invalid request payload' line per id.
    const lines = () =>
      output.stdout
        .split('\n')
        .filter((l) => l.includes('invalid request payload'))
        .map((l) => JSON.parse(l) as { client?: string; topic?: string });
    if (lines().length < ids.length) await new Promise<void>((resolve) => (output.onData = () => lines().length >= ids.length && resolve()));

    const clients = lines().map((l) => l.client);
    expect(clients).toEqual([...Object.values(masked), ...withheld.map((id) => `[${id.length} characters withheld]`), ...readable]);
    // The topic names the client too: said the same way.
    expect(lines()[0]?.topic).toBe(topics('wire-hall').request('li_138****5678'));
    for (const raw of ['li_138_1234_5678', '13812345678x', '19900307-2312', '１２３４', 'x_1234567']) expect(output.stdout).not.toContain(raw);
  });
});
