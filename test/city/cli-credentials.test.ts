import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cityNatsConfigCommand, cityServeCommand } from '../../src/cli/city.js';
import { isHallqError } from '../../drivers/common/error.js';

/** `hallq city serve` and `nats-config` refuse to run without their credentials, naming the flag or key at fault. */
const dir = mkdtempSync(join(tmpdir(), 'hallq-city-cli-'));
const config = join(dir, 'city.yaml');
writeFileSync(
  config,
  `city: { id: c, name: { zh: 市, en: C } }
broker: { urls: ['mqtt://127.0.0.1:1'] }
postgres: { url: 'postgres://127.0.0.1:1/none' }
halls: [{ id: hall-a, name: { zh: 甲, en: A }, lat: 0, lon: 0 }]
cluster: { nodes: [{ name: n1, host: 127.0.0.1 }] }
`,
);
const token = join(dir, 'token');
writeFileSync(token, 'tok');
const pw = join(dir, 'pw');
writeFileSync(pw, 'pw');

async function refusal(run: () => Promise<unknown> | unknown): Promise<{ code: string; message: string }> {
  try {
    await run();
  } catch (e) {
    if (isHallqError(e)) return { code: e.code, message: e.message };
    throw e;
  }
  throw new Error('it ran');
}

describe('city credentials', () => {
  it('refuses to serve without the broker password or the token (config error, nothing started)', async () => {
    expect(await refusal(() => cityServeCommand({ config, tokenFile: token }))).toEqual({ code: 'CONFIG_INVALID', message: expect.stringContaining('--password-file') });
    expect(await refusal(() => cityServeCommand({ config, passwordFile: pw }))).toEqual({ code: 'CONFIG_INVALID', message: expect.stringContaining('--token-file') });
    expect(await refusal(() => cityServeCommand({ config, passwordFile: join(dir, 'nope'), tokenFile: token }))).toEqual({ code: 'CONFIG_INVALID', message: expect.stringMatching(/^--password-file: cannot read .*nope/) });
    expect(await refusal(() => cityServeCommand({ config, passwordFile: pw, tokenFile: join(dir, 'nope') }))).toEqual({ code: 'CONFIG_INVALID', message: expect.stringMatching(/^--token-file: cannot read /) });
  });

  it("names the hall whose password is missing from nats-config's secrets folder", async () => {
    const secrets = mkdtempSync(join(dir, 'secrets-'));
    writeFileSync(join(secrets, 'city.password'), 'c');
    const r = await refusal(() => cityNatsConfigCommand({ config, node: 'n1', secrets }, () => undefined));
    expect(r.code).toBe('CONFIG_INVALID');
    expect(r.message).toMatch(/"hall-a" \(hall hall-a\): cannot read .*hall-a\.password/);
  });
});
