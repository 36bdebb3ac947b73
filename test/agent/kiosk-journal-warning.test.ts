/**
 * Review: `hallq config check` warned about a missing `agent.kioskJournal` only for a kiosk with a
 * printer, the agent at its start for any kiosk. The journal holds prints only (a kiosk with no printer
 * has nothing to settle after a restart), so both now ask one predicate (kioskJournalInMemory). The same
 * configs, one with a printer and one without, go to both: `config check --json`'s warnings and the
 * agent's start log say the same thing; a reload that adds the printer is said then.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { stringify } from 'yaml';
import { recordingLogger, type LogRecord } from '../../drivers/common/logger.js';
import { startAgentFrom } from '../../src/agent/main.js';
import { startEmbeddedBroker, type EmbeddedBroker } from '../../src/bus/embedded-broker.js';
import { configCheck } from '../../src/cli/config-check.js';
import { configSchema } from '../../src/config/schema.js';
import { hallClock, type ServerRig, startServer, tempDb, wireHallFile } from '../wire/rig.js';

const keyOf = (r: LogRecord): unknown => (r.obj as { key?: unknown }).key;

describe('agent.kioskJournal left out: config check and the agent start say the same', () => {
  let broker: EmbeddedBroker;
  let server: ServerRig;
  const dir = mkdtempSync(join(tmpdir(), 'hallq-journal-warning-'));

  /** A one-kiosk hall as a technician writes it: no kioskJournal, no island; a printer or not. */
  const doc = (printer: boolean): Record<string, unknown> => {
    return {
      ...wireHallFile(),
      agents: [{ id: 'kiosk-9', kiosk: { port: 0, statusBaseUrl: 'http://192.168.1.10:8080' }, devices: printer ? { printer: { transport: 'serial', path: join(dir, 'no-printer') } } : {} }],
      agent: { id: 'kiosk-9', mqtt: { url: broker.url } },
    };
  };

  beforeAll(async () => {
    broker = await startEmbeddedBroker({ port: 0 });
    server = await startServer(broker.url, tempDb(), hallClock(), [], { agents: configSchema.parse(doc(true)).agents });
  });
  afterAll(async () => {
    await server?.stop();
    await broker?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The key paths `hallq config check --json` warns about, for the config written as YAML. */
  function checkWarnings(name: string, d: Record<string, unknown>): string[] {
    const file = join(dir, name);
    writeFileSync(file, stringify(d));
    let out = '';
    const o = vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
    let code: number;
    try {
      code = configCheck(file, true);
    } finally {
      o.mockRestore();
    }
    expect(code).toBe(0);
    const j = JSON.parse(out) as { ok: boolean; warnings?: { path: string }[] };
    expect(j.ok).toBe(true);
    return (j.warnings ?? []).map((w) => w.path);
  }

  /** The key paths the agent's start logs a warning for (the warnings of a config carry their key). */
  async function startWarnings(d: Record<string, unknown>): Promise<{ keys: string[]; records: LogRecord[] }> {
    const records: LogRecord[] = [];
    const agent = await startAgentFrom(configSchema.parse(d), { logger: recordingLogger(records), env: {}, requestTimeoutMs: 1500 });
    await agent.stop();
    const keys = records.filter((r) => r.level === 'warn' && typeof keyOf(r) === 'string').map((r) => String(keyOf(r)));
    return { keys, records };
  }

  it('a kiosk with a printer: both warn, with the same words', async () => {
    const d = doc(true);
    const checked = checkWarnings('printer.yaml', d);
    const started = await startWarnings(d);
    expect(checked).toEqual(['agent.kioskJournal']);
    expect(started.keys).toEqual(checked);
    const logged = started.records.find((r) => keyOf(r) === 'agent.kioskJournal');
    expect(logged?.msg).toMatch(/^agent\.kioskJournal: not set \(and no island file\): this kiosk keeps its print journal in memory only/);
    expect(logged?.obj).toMatchObject({ zh: expect.stringMatching(/^agent\.kioskJournal：未设置/) as unknown });
  }, 30_000);

  it('a kiosk with no printer has no prints to journal: neither warns', async () => {
    const d = doc(false);
    const checked = checkWarnings('no-printer.yaml', d);
    const started = await startWarnings(d);
    expect(checked).toEqual([]);
    expect(started.keys).toEqual([]);
    // Nor in other words (the agent said it without a key before).
    expect(started.records.filter((r) => r.level === 'warn' && String(r.msg).includes('kioskJournal'))).toEqual([]);
  }, 30_000);

  it('a printer added by a reload (the journal in memory): the agent says it then, as config check says it of the new file', async () => {
    const records: LogRecord[] = [];
    const agent = await startAgentFrom(configSchema.parse(doc(false)), { logger: recordingLogger(records), env: {}, requestTimeoutMs: 1500 });
    try {
      expect(records.filter((r) => keyOf(r) === 'agent.kioskJournal')).toEqual([]);
      expect(await agent.reload(configSchema.parse(doc(true)))).toBe('applied');
      expect(records.filter((r) => r.level === 'warn' && keyOf(r) === 'agent.kioskJournal').map((r) => r.msg)).toEqual([expect.stringMatching(/^agent\.kioskJournal: not set/)]);
      // The same config again: no change, said once.
      expect(await agent.reload(configSchema.parse(doc(true)))).toBe('unchanged');
      expect(records.filter((r) => keyOf(r) === 'agent.kioskJournal')).toHaveLength(1);
    } finally {
      await agent.stop();
    }
  }, 30_000);
});
