import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { configJsonSchema } from '../../src/config/json-schema.js';
import { thisAgent } from '../../src/config/agents.js';
import { loadConfigFile, validateConfig } from '../../src/config/load.js';
import { hallConfigOf } from '../../src/config/hall-config.js';

const demo = () => parse(readFileSync('config/demo.yaml', 'utf8')) as Record<string, unknown> & { services: Record<string, unknown>[]; windows: { tiers: string[][] }[] };

describe('config', () => {
  it('says an empty file (or one of comments only) is empty, not a null at the top level', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hallq-empty-config-'));
    for (const [name, text] of [['empty.yaml', ''], ['comments.yaml', '# hall config\n\n   # to do\n']] as const) {
      const file = join(dir, name);
      writeFileSync(file, text);
      const r = loadConfigFile(file);
      expect(r.ok).toBe(false);
      expect(r.ok ? [] : r.issues.map((i) => [i.path, i.found, i.foundZh])).toEqual([['(the file)', 'an empty file (nothing but blanks and comments)', '空文件（只有空白和注释）']]);
    }
    // One key is no empty file: said as what is missing.
    writeFileSync(join(dir, 'one.yaml'), 'hall: { id: x }\n');
    const one = loadConfigFile(join(dir, 'one.yaml'));
    expect(one.ok ? [] : one.issues.map((i) => i.path)).not.toContain('(the file)');
  });

  it('accepts the demo hall: 8 services, 12 windows of the four kinds', () => {
    const r = loadConfigFile('config/demo.yaml');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.config.services).toHaveLength(8);
    expect(new Set(r.config.windows.map((w) => w.kind))).toEqual(new Set(['general', 'domain', 'special', 'pickup']));
    expect(r.config.windows).toHaveLength(12);
    // defaults filled in from the one schema
    expect(hallConfigOf(r.config).policy.serviceTimeSamples).toBe(100);
  });

  it('accepts the production example with its server and agent sections', () => {
    const r = loadConfigFile('config/hall.example.yaml');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.config.server.mqtt.passwordFile).toBe('/etc/hallq/mqtt-server.password');
    expect(thisAgent(r.config).id).toBe('kiosk-1');
    expect(r.config.agents.map((a) => a.id)).toEqual(['kiosk-1', 'counter-1']);
  });

  it('names the key path, the value found and what was expected, for every problem at once', () => {
    const doc = demo();
    (doc.services[1] as Record<string, unknown>).dailyQuota = 'many';
    (doc.services[2] as Record<string, unknown>).prefix = 'a1';
    (doc as Record<string, unknown>).polcy = {};
    const r = validateConfig(doc);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues).toEqual(
      expect.arrayContaining([
        { path: 'services[1].dailyQuota', found: '"many"', expected: 'a number', foundZh: '"many"', expectedZh: '数字' },
        expect.objectContaining({ path: 'services[2].prefix', found: '"a1"' }),
        // Beside the real key, a typo of it is still answered (issue #13), saying the real one is set too.
        expect.objectContaining({ path: 'polcy', found: 'an unknown key', expected: 'no such key (did you mean policy? policy is also set)' }),
      ]),
    );
    expect(r.issues).toHaveLength(3);
  });

  it('names the key path of a disk-low threshold out of range (server.diskLowMegabytes, agent.diskLowMegabytes)', () => {
    const doc = demo() as Record<string, unknown> & { server?: Record<string, unknown> };
    doc.server = { ...doc.server, diskLowMegabytes: 0 };
    doc.agent = { diskLowMegabytes: 'lots' };
    const r = validateConfig(doc);
    expect(r.ok ? [] : r.issues).toEqual([
      expect.objectContaining({ path: 'server.diskLowMegabytes', found: '0' }),
      expect.objectContaining({ path: 'agent.diskLowMegabytes', found: '"lots"', expected: 'a number' }),
    ]);
    // Absent: 64 MB on both sides.
    const ok = validateConfig({ ...demo(), agent: {} });
    expect(ok.ok && [ok.config.server.diskLowMegabytes, ok.config.agent?.diskLowMegabytes]).toEqual([64, 64]);
  });

  it('checks references across keys: a window tier naming an unknown service, duplicate ids', () => {
    const doc = demo();
    doc.windows[3]!.tiers[0]![0] = 'socail';
    doc.windows[4] = { ...doc.windows[0]! };
    const r = validateConfig(doc);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues.map((i) => i.path)).toEqual(expect.arrayContaining(['windows[3].tiers[0][0]', 'windows[4].id']));
    expect(r.issues.find((i) => i.path === 'windows[3].tiers[0][0]')?.found).toBe('"socail"');
  });

  it('says duplicates and unknown tier services beside field errors, at the key that repeats (issue 13)', () => {
    const doc = demo() as ReturnType<typeof demo> & { staff: Record<string, unknown>[] };
    doc.services[4]!.prefix = doc.services[0]!.prefix; // a duplicate prefix
    (doc.windows[1] as Record<string, unknown>).id = 1; // a duplicate window id
    doc.staff[1]!.id = doc.staff[0]!.id; // a duplicate staff id
    doc.windows[10]!.tiers[0]![0] = 'fnud'; // a typo of a service id
    (doc.windows[2] as Record<string, unknown>).kind = 'generl'; // field errors in the same file
    doc.staff[2]!.role = 'boss';
    const r = validateConfig(doc);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues.map((i) => i.path)).toEqual(['windows[2].kind', 'staff[2].role', 'services[4].prefix', 'windows[1].id', 'staff[1].id', 'windows[10].tiers[0][0]', 'agents[0].devices.rs485[0].keypads[1].window']);
    // The keypad naming window 2 (one place only): its own line, pointing at the duplicate (src/config/id-cascade.ts absorbable).
    expect(r.issues.at(-1)?.expected).toBe('a window id of windows; windows[1].id is a duplicate: was this its old id?');
    expect(r.issues.find((i) => i.path === 'services[4].prefix')).toMatchObject({ found: '"A"', expected: 'a number prefix not used before' });
    expect(r.issues.find((i) => i.path === 'windows[10].tiers[0][0]')?.expected).toContain('(did you mean fund?)');
  });

  it('says a bad value once: a prefix the schema refuses is not also a duplicate, a broken service entry no unknown reference', () => {
    const doc = demo();
    doc.services[4]!.prefix = 'a';
    doc.services[5]!.prefix = 'a';
    doc.services[0]!.id = 'so cial'; // refused by the schema: the tiers naming social are not called unknown
    const r = validateConfig(doc);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues.map((i) => i.path)).toEqual(['services[0].id', 'services[4].prefix', 'services[5].prefix']);
  });

  it('answers an unknown key with the key it is a typo of, and shows a key written in Chinese (issue 13)', () => {
    const doc = demo() as ReturnType<typeof demo> & { policy: Record<string, unknown> };
    doc.policy['interlave'] = doc.policy['interleave'];
    delete doc.policy['interleave'];
    doc.policy['张三'] = 2;
    (doc.windows[0] as Record<string, unknown>)['tier'] = [];
    const r = validateConfig(doc);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues.map((i) => `${i.path}: ${i.expected} / ${i.expectedZh}`).sort()).toEqual([
      'policy.interlave: no such key (did you mean interleave?) / 没有这一项（是不是 "interleave"？）',
      'policy.张三: no such key (check the spelling) / 没有这一项（请检查拼写）',
      'windows[0].tier: no such key (did you mean tiers? tiers is also set) / 没有这一项（是不是 "tiers"？"tiers" 也已设置）',
    ]);
  });

  it('reports YAML syntax errors with their line', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hallq-config-'));
    const file = join(dir, 'broken.yaml');
    writeFileSync(file, 'hall:\n  id: x\n  name: { zh: a, en: b\nhours: []\n');
    const r = loadConfigFile(file);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues[0]?.path).toMatch(/^line \d+$/);
    expect(r.issues[0]?.found).toBe('invalid YAML');
  });

  it('keeps config/hallq.schema.json in step with the schema (npm run schema)', () => {
    const onDisk: unknown = JSON.parse(readFileSync('config/hallq.schema.json', 'utf8'));
    expect(onDisk).toEqual(configJsonSchema());
  });
});

describe('a YAML syntax typo is said once (issue #13 tryout: a `{` left open gave 4 problems)', () => {
  it('the bracket left open, one problem', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hallq-yaml-once-'));
    const file = join(dir, 'typo.yaml');
    writeFileSync(file, 'hall: {id: x\n  name: [\n');
    const r = loadConfigFile(file);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues).toEqual([
      { path: 'line 3', pathZh: '第 3 行', found: 'invalid YAML', expected: 'a closing ] (a [ or { left open) (near line 3, column 1)', foundZh: '不合 YAML 语法的内容', expectedZh: '结尾的 ]（有未闭合的 [ 或 {）（第 3 行第 1 列附近）' },
    ]);
  });

  it('without a bracket left open: the first error in the file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hallq-yaml-once-'));
    const file = join(dir, 'tab.yaml');
    writeFileSync(file, 'hall:\n  id: x\n name: y\n');
    const r = loadConfigFile(file);
    expect(r.ok ? [] : r.issues.map((i) => i.path)).toHaveLength(1);
  });
});

describe('YAML that is valid syntax but no data (a tryout: config check died of "Maximum call stack size exceeded", exit 1)', () => {
  const load = (text: string) => {
    const dir = mkdtempSync(join(tmpdir(), 'hallq-yaml-alias-'));
    const file = join(dir, 'hall.yaml');
    writeFileSync(file, text);
    return loadConfigFile(file);
  };

  it('an alias inside its own anchor, in a list or as a merge key: one problem at its line', () => {
    for (const [text, line] of [
      ['a: &a [*a]\n', 1],
      ['# a hall\nhall: &h {id: x, <<: *h}\n', 2],
      ['hours:\n  mon: &d\n    - from: "09:00"\n      again: *d\n', 4],
    ] as const) {
      const r = load(text);
      expect(r.ok, text).toBe(false);
      if (r.ok) continue;
      expect(r.issues, text).toHaveLength(1);
      expect(r.issues[0]).toMatchObject({ path: `line ${String(line)}`, pathZh: `第 ${String(line)} 行` });
      expect(r.issues[0]?.found).toMatch(/^an alias \(\*[ahd]\) inside the node its anchor \(&[ahd]\) names: data that contains itself$/);
      expect(r.issues[0]?.foundZh).toContain('数据包含它自身');
    }
  });

  it('an alias bomb: refused as such, not expanded', () => {
    const r = load(`a: &a [1, 2, 3]\nb: &b [${Array.from({ length: 10 }, () => '*a').join(', ')}]\nc: [${Array.from({ length: 20 }, () => '*b').join(', ')}]\n`);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues).toEqual([expect.objectContaining({ path: '(the file)', found: expect.stringMatching(/^aliases that expand past 100 uses/) as string })]);
  });

  it('an anchor used after its node ended, as halls write a week of hours, is data as before', () => {
    const r = load('hall: {id: x}\nhours: {weekly: {mon: &d [{from: "09:00", to: "17:00"}], tue: *d}}\n');
    // Whatever else is missing, the aliases are no problem.
    if (!r.ok) expect(r.issues.map((i) => i.found).join('\n')).not.toMatch(/alias/);
  });
});

describe('island.lowWater against island.leaseSize (a tryout: leaseSize 0 was also said as lowWater "found a group of keys")', () => {
  const issues = (island: Record<string, unknown>) => {
    const r = validateConfig({ ...demo(), island });
    return r.ok ? [] : r.issues.filter((i) => i.path.startsWith('island'));
  };
  it('a leaseSize that is itself wrong is said once, at leaseSize', () => {
    expect(issues({ leaseSize: 0 }).map((i) => i.path)).toEqual(['island.leaseSize']);
  });
  it('a lowWater above a valid leaseSize is said at lowWater, with its value and the leaseSize', () => {
    expect(issues({ leaseSize: 3 })).toEqual([expect.objectContaining({ path: 'island.lowWater', found: '5', expected: 'a number not above leaseSize (3): a new block is leased when fewer than lowWater are free' })]);
    expect(issues({ leaseSize: 5, lowWater: 5 })).toEqual([]);
  });
});
