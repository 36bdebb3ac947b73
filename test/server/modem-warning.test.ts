/** issue 13: a server whose SMS modem is not there starts all the same and says so once, with the key path. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { recordingLogger } from '../../drivers/common/logger.js';
import { validateConfig } from '../../src/config/load.js';
import { startServerFrom } from '../../src/server/main.js';

const dir = mkdtempSync(join(tmpdir(), 'hallq-modem-warning-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function configWith(modemPath: string) {
  const doc = parseDocument(readFileSync('config/demo.yaml', 'utf8')).toJS() as Record<string, unknown>;
  doc['server'] = { database: join(dir, `${modemPath.replace(/\W/g, '')}.db`), http: { host: '127.0.0.1', port: 0 }, mqtt: { url: 'mqtt://127.0.0.1:9' }, sms: { provider: 'modem', modem: { path: modemPath } } };
  const r = validateConfig(doc);
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.config;
}

describe('the server and an SMS modem that is not there', () => {
  // The broker is away (port 9): the server starts without it.
  it('logs one warning naming server.sms.modem.path at the start, and none for a device that is there', async () => {
    for (const [path, warned] of [[join(dir, 'ttyNOPE'), true], ['/dev/null', false]] as const) {
      const log = recordingLogger();
      const server = await startServerFrom(configWith(path), Date.now, log);
      try {
        const warnings = log.records.filter((r) => r.level === 'warn' && (r.obj as { key?: string }).key === 'server.sms.modem.path');
        expect(warnings, path).toHaveLength(warned ? 1 : 0);
        if (warned) {
          expect(warnings[0]?.msg).toContain(`the SMS modem ${path}: it is not there`);
          expect((warnings[0]?.obj as { zh?: string }).zh).toContain(`短信猫 ${path} 不存在`);
        }
      } finally {
        await server.stop();
      }
    }
  }, 60_000);
});
