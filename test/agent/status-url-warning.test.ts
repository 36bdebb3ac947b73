/**
 * A technician tryout (issue #13): a kiosk whose statusBaseUrl was left out printed QR codes to
 * http://127.0.0.1:8080 and nothing said so. The agent says it at its start, with the key path, as
 * `hallq config check` does; a LAN address is no warning. So is a kiosk listener bound beyond this machine.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordingLogger, type LogRecord } from '../../drivers/common/logger.js';
import { startAgentFrom } from '../../src/agent/main.js';
import { startEmbeddedBroker, type EmbeddedBroker } from '../../src/bus/embedded-broker.js';
import { configSchema } from '../../src/config/schema.js';
import { configWarnings } from '../../src/config/warnings.js';
import { hallClock, type ServerRig, startServer, tempDb, wireHallFile } from '../wire/rig.js';

describe("the agent's start: a kiosk status page at this machine's address", () => {
  let broker: EmbeddedBroker;
  let server: ServerRig;
  const dir = mkdtempSync(join(tmpdir(), 'hallq-status-url-'));
  const config = (kiosk: Record<string, unknown>) => {
    return configSchema.parse({
      ...wireHallFile(),
      agents: [{ id: 'kiosk-9', kiosk: { port: 0, ...kiosk }, devices: { printer: { transport: 'serial', path: join(dir, 'no-printer') } } }],
      agent: { id: 'kiosk-9', mqtt: { url: broker.url }, kioskJournal: join(dir, `journal-${Object.keys(kiosk).length}.db`) },
    });
  };

  beforeAll(async () => {
    broker = await startEmbeddedBroker({ port: 0 });
    server = await startServer(broker.url, tempDb(), hallClock(), [], { agents: config({}).agents });
  });
  afterAll(async () => {
    await server?.stop();
    await broker?.close();
  });

  async function warningsAtStart(kiosk: Record<string, unknown>): Promise<LogRecord[]> {
    const records: LogRecord[] = [];
    const agent = await startAgentFrom(config(kiosk), { logger: recordingLogger(records), env: {}, requestTimeoutMs: 1500 });
    await agent.stop();
    return records.filter((r) => r.level === 'warn' && String(r.msg).includes('statusBaseUrl'));
  }

  it('left out: warned with its key path, in the same words as the server (one text from one place)', async () => {
    const w = await warningsAtStart({});
    expect(w.map((r) => r.msg)).toEqual([expect.stringMatching(/^agents\[0\]\.kiosk\.statusBaseUrl: is http:\/\/127\.0\.0\.1:8080 \(also its default when left out\), an address of this machine: the QR code on each ticket/)]);
    expect(w[0]?.obj).toMatchObject({ key: 'agents[0].kiosk.statusBaseUrl' });
    // The server logs configWarnings of the same parsed config (src/server/main.ts): word for word the agent's.
    const servers = configWarnings(config({})).find((x) => x.path === 'agents[0].kiosk.statusBaseUrl');
    expect(w[0]?.msg).toBe(servers?.en);
    expect(w[0]?.obj).toMatchObject({ zh: servers?.zh });
  }, 30_000);

  it('a kiosk listener bound beyond this machine (kiosk.host): warned at the start in the server\'s words', async () => {
    const records: LogRecord[] = [];
    const agent = await startAgentFrom(config({ host: '0.0.0.0', statusBaseUrl: 'http://192.168.1.10:8080' }), { logger: recordingLogger(records), env: {}, requestTimeoutMs: 1500 });
    await agent.stop();
    const w = records.filter((r) => r.level === 'warn' && (r.obj as { key?: string }).key === 'agents[0].kiosk.host');
    const servers = configWarnings(config({ host: '0.0.0.0' })).find((x) => x.path === 'agents[0].kiosk.host');
    expect(servers).toBeDefined();
    expect(w.map((r) => r.msg)).toEqual([servers?.en]);
    expect(w[0]?.obj).toMatchObject({ zh: servers?.zh });
  }, 30_000);

  it("the server's LAN address: no warning", async () => {
    expect(await warningsAtStart({ statusBaseUrl: 'http://192.168.1.10:8080' })).toEqual([]);
  }, 30_000);
});
