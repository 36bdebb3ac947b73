import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { parseCityConfig } from '../../src/city/config.js';
import { configCheck } from '../../src/cli/config-check.js';

/** A city config's problems are named at their key path, and `hallq config check` checks a city config as one. */
const dir = mkdtempSync(join(tmpdir(), 'hallq-city-check-'));
const good = `city: { id: c, name: { zh: 市, en: C } }
broker: { urls: ['mqtt://127.0.0.1:1883'] }
postgres: { url: 'postgres://127.0.0.1/city' }
halls: [{ id: hall-a, name: { zh: 甲, en: A }, lat: 0, lon: 0 }]
`;
const file = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

function run(path: string): { code: number; out: string; err: string } {
  let out = '';
  let err = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((err += String(s)), true));
  try {
    return { code: configCheck(path, false), out, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}
afterEach(() => vi.restoreAllMocks());

describe('city config check', () => {
  it('names an unknown key at its own path', () => {
    const base = { city: { id: 'c', name: { zh: '市', en: 'C' } }, broker: { urls: ['mqtt://n1:1883'], usernme: 'x' }, postgres: { url: 'postgres://x' }, halls: [{ id: 'h', name: { zh: '厅', en: 'H' }, lat: 0, lon: 0 }] };
    expect(() => parseCityConfig(base)).toThrow('city.yaml: broker.usernme: found an unknown key, expected no such key (did you mean username?)');
  });

  it('checks a city config with the city schema in hallq config check', () => {
    const ok = run(file('ok.yaml', good));
    expect(ok.code).toBe(0);
    expect(ok.out).toMatch(/OK \(city config: 1 halls\)/);
    const typo = run(file('typo.yaml', good.replace("broker: { urls: ['mqtt://127.0.0.1:1883'] }", "broker: { urls: ['mqtt://127.0.0.1:1883'], usernme: city }")));
    expect(typo.code).toBe(3);
    // Worded as the hall's config check words an unknown key (one function, issueWords).
    expect(typo.err).toContain('typo.yaml: broker.usernme: found an unknown key, expected no such key (did you mean username?)');
    expect(typo.err).toMatch(/^1 problem\(s\) in .* \(city config\) \(市级配置 .*typo\.yaml 中有 1 处问题\)$/m);
    const nopw = run(file('nopw.yaml', good.replace("broker: { urls: ['mqtt://127.0.0.1:1883'] }", `broker: { urls: ['mqtt://127.0.0.1:1883'], passwordFile: ${join(dir, 'nope')} }`)));
    expect(nopw.code).toBe(3);
    expect(nopw.err).toMatch(/broker\.passwordFile: found ".*nope" \(it is not there \(no such file or folder\)\), expected a file this user can read/);
    // Each problem's Chinese on the next line, as for a hall config.
    expect(nopw.err).toMatch(/\n {2}broker\.passwordFile：收到".*nope"（不存在），应为当前用户可读的文件\n/);
    expect(typo.err).toContain('\n  broker.usernme：收到未知的项，应为没有这一项（是不是 "username"？）\n');
  });
});
