/**
 * issue 13, the technician's findings: every CLI error is `error: CODE: message (messageZh)` with a
 * specific Chinese (not one line per code), system failures in words (never "ENOENT: no such file or
 * directory, open …"), the Chinese part in Chinese only, the usage after every usage error, a
 * did-you-mean for a mistyped command or option, the hall's windows when a window does not exist,
 * and a warning for an SMS modem that is not there. The real CLI from this tree's build (dist/).
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { closest } from '../../drivers/common/did-you-mean.js';
import { listeningRig } from '../http/rig.js';
import { demoYaml, runHallq, scratch, type CliResult } from '../helpers/cli.js';


const hallq = (args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> => runHallq(args, { env });

const { dir, write } = scratch('error-words');
const demo = demoYaml();

/** Node's own system-error text, which a person must not be shown. */
const RAW_ERRNO = /\bE(NOENT|ACCES|ISDIR|NOTDIR|EXIST|NOSPC|ROFS|PERM)\b:|no such file or directory|permission denied, open|illegal operation on a directory/;

/** The first `error: CODE: message (messageZh)` line of stderr, split; the Chinese is the last balanced (…) at the end of the line. */
function parts(stderr: string): { code: string; message: string; zh: string } {
  const line = stderr.split('\n').find((l) => l.startsWith('error: ')) ?? '';
  expect(line, `an error line in: ${stderr}`).toMatch(/^error: [A-Za-z_-]+: .+ \(.+\)$/);
  let depth = 0;
  let open = -1;
  for (let i = line.length - 1; i >= 0; i--) {
    if (line[i] === ')') depth++;
    else if (line[i] === '(' && --depth === 0) {
      open = i;
      break;
    }
  }
  const code = /^error: ([A-Za-z_-]+): /.exec(line)?.[1] ?? '';
  return { code, message: line.slice(`error: ${code}: `.length, open - 1), zh: line.slice(open + 1, -1) };
}

/**
 * What may stay Latin in a Chinese line: paths, key paths, options, codes, `hallq …` commands the
 * reader types, quoted values, and a few names (SQLite, YAML, HTTP…). Whatever Latin word is left is
 * English that leaked into the Chinese.
 */
function englishLeft(zh: string, allowed: readonly string[] = []): string[] {
  let s = zh;
  for (const a of allowed) s = s.split(a).join(' ');
  s = s
    .replace(/"[^"]*"/g, ' ') // quoted values
    .replace(/[^\s，。：；、（）()]*\/[^\s，。：；、（）()]*/g, ' ') // paths and URLs
    .replace(/hallq( [a-z-]+)*/g, ' ') // a command to type (its words are the command's)
    .replace(/--?[a-z][a-z-]*/g, ' ') // options
    .replace(/\b[a-z][A-Za-z0-9]*(\[\d+\])?(\.[A-Za-z0-9]+(\[\d+\])*)+\b/g, ' ') // key paths (server.mqtt.passwordFile)
    .replace(/\b[A-Za-z]+[A-Z][A-Za-z]*\b/g, ' ') // camelCase keys (passwordFile)
    .replace(/\b[A-Z][A-Z0-9_]+\b/g, ' ') // codes and acronyms (STORE_LOCKED, YAML, HH)
    .replace(/\b(SQLite|true|false|null)\b/g, ' ');
  return s.match(/[A-Za-z]{2,}/g) ?? [];
}

describe('system failures in words, English and Chinese, naming the path', () => {
  it('config check on a missing file, a folder, and a config naming a missing password file', async () => {
    const missing = await hallq(['config', 'check', join(dir, 'nope.yaml')]);
    expect(missing.code).toBe(1);
    expect(parts(missing.stderr)).toEqual({ code: 'CONFIG_NOT_FOUND', message: `config: cannot read ${join(dir, 'nope.yaml')}: it is not there (no such file or folder)`, zh: `配置文件 ${join(dir, 'nope.yaml')} 读取失败：不存在` });
    const folder = await hallq(['config', 'check', dir]);
    expect(parts(folder.stderr)).toMatchObject({ code: 'CONFIG_NOT_FOUND', zh: expect.stringContaining(`配置文件 ${dir} 是文件夹，不是配置文件`) as string });
    expect(folder.stderr).toContain(`${dir} is a folder, not a config file`);
    for (const r of [missing, folder]) expect(r.stderr).not.toMatch(RAW_ERRNO);
  }, 60_000);

  it('report --db on a missing file, and broker --out under a file (ENOTDIR)', async () => {
    const report = await hallq(['report', '--from', '2026-11-01', '--to', '2026-11-02', '--db', join(dir, 'none.db')]);
    expect(report.code).toBe(1);
    expect(parts(report.stderr)).toEqual({ code: 'STORE_IO', message: `cannot read ${join(dir, 'none.db')}: it is not there (no such file or folder)`, zh: `${join(dir, 'none.db')} 读取失败：不存在` });
    const file = write('plain.txt', 'x');
    const broker = await hallq(['broker', '--config', 'config/demo.yaml', '--out', join(file, 'sub')]);
    expect(broker.code).toBe(1);
    expect(parts(broker.stderr)).toMatchObject({ code: 'FILE_IO', zh: `--out：${file} 不是目录` });
    for (const r of [report, broker]) expect(r.stderr).not.toMatch(RAW_ERRNO);
  }, 60_000);

  it('a server whose password file is missing names the key path in both languages', async () => {
    const config = write('nopw.yaml', `${demo}\nserver:\n  database: ${join(dir, 'nopw.db')}\n  http: { host: 127.0.0.1, port: 0 }\n  mqtt: { url: "mqtt://127.0.0.1:9", username: hallq-server, passwordFile: ${join(dir, 'nope.password')} }\n`);
    const r = await hallq(['server', '--config', config]);
    expect(r.code).toBe(3); // an invalid config, like a schema problem (README: 3 = invalid config)
    const p = parts(r.stderr);
    expect(p.code).toBe('CONFIG_INVALID');
    expect(p.message).toContain(`server.mqtt.passwordFile: cannot read ${join(dir, 'nope.password')}: it is not there (no such file or folder)`);
    expect(p.zh).toContain(`server.mqtt.passwordFile：${join(dir, 'nope.password')} 读取失败：不存在`);
    expect(r.stderr).not.toMatch(RAW_ERRNO);
  }, 60_000);
});

describe('each English message has its own Chinese', () => {
  it('report with --from after --to says so in Chinese too, not a generic line', async () => {
    const r = await hallq(['report', '--from', '2026-11-05', '--to', '2026-11-01', '--db', join(dir, 'x.db')]);
    expect(r.code).toBe(2);
    expect(parts(r.stderr)).toEqual({
      code: 'USAGE',
      message: 'report: --from 2026-11-05 is after --to 2026-11-01; the first day comes first',
      zh: '开始日期 --from 2026-11-05 晚于结束日期 --to 2026-11-01，请把较早的日期写在 --from',
    });
  }, 60_000);

  it('a file that is not a database is said to be one, not "读写数据库失败"', async () => {
    const notDb = write('not-a-db.db', 'SQLite format 3\0'.padEnd(200, 'x'));
    const r = await hallq(['report', '--from', '2026-11-01', '--to', '2026-11-02', '--db', notDb]);
    expect(r.code).toBe(1);
    const p = parts(r.stderr);
    expect(p.zh).not.toBe('读写数据库失败');
    expect(p.zh).toMatch(/不是数据库文件|不是大厅数据库/);
    // The SQLite file without an event log is refused as such, in both languages.
    const empty = join(dir, 'empty.db');
    new Database(empty).exec('CREATE TABLE t (x)');
    const e = parts((await hallq(['report', '--from', '2026-11-01', '--to', '2026-11-02', '--db', empty])).stderr);
    expect(e).toMatchObject({ code: 'STORE_IO', zh: expect.stringContaining(`${empty} 不是大厅数据库（它是 SQLite 文件，但没有事件日志）`) });
  }, 60_000);
});

describe('a mistyped command or option: did you mean …?', () => {
  it('picks the one close name, never a guess between two', () => {
    expect(closest('citty', ['city', 'config', 'call'])).toBe('city');
    expect(closest('simulat', ['simulate', 'status'])).toBe('simulate');
    expect(closest('stauts', ['status', 'staff'])).toBe('status');
    expect(closest('frobnicate', ['city', 'config'])).toBeUndefined();
    expect(closest('cax', ['cab', 'cat'])).toBeUndefined();
  });

  it('hallq citty → did you mean city?, with city\'s usage; an option too', async () => {
    const r = await hallq(['citty']);
    expect(r.code).toBe(2);
    expect(parts(r.stderr)).toEqual({ code: 'USAGE', message: 'there is no command "citty"; did you mean city?', zh: '没有 "citty" 这个命令，是不是要用 hallq city？' });
    expect(r.stderr).toContain('usage: hallq city serve');
    const o = await hallq(['queue', '--jsn']);
    expect(o.code).toBe(2);
    expect(parts(o.stderr)).toEqual({ code: 'USAGE', message: 'hallq queue has no option --jsn; did you mean --json?', zh: 'hallq queue 没有 --jsn 这个选项，是不是要用 --json？' });
    const sub = await hallq(['config', 'chek', 'x.yaml']);
    expect(parts(sub.stderr).message).toContain('did you mean check?');
  }, 60_000);
});

describe('every usage error is followed by its command\'s usage', () => {
  it.each([
    [['simulate', 'config/demo.yaml', '--days', '0'], 'usage: hallq simulate FILE'],
    [['simulate', 'config/demo.yaml', '--windows', '13', '--days', '1'], 'usage: hallq simulate FILE'],
    [['simulate', 'config/demo.yaml', '--windows', '4-1'], 'usage: hallq simulate FILE'],
    [['report', '--from', '2026-11-05', '--to', '2026-11-01', '--db', 'x.db'], 'usage: hallq report --from DAY'],
    [['report', '--from', '2026-11-01', '--to', '2026-11-05', '--by', 'weekday', '--db', 'x.db'], 'usage: hallq report --from DAY'],
    [['report', '--from', 'yesterday', '--to', '2026-11-05', '--db', 'x.db'], 'usage: hallq report --from DAY'],
    [['call', 'x'], 'usage: hallq call WINDOW'],
    [['emulate', 'printr'], 'usage: hallq emulate'],
  ])('hallq %j', async (args, usage) => {
    const r = await hallq(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: USAGE: /);
    expect(r.stderr).toContain(`\n\n${usage}`);
  }, 60_000);
});

describe('the Chinese part is Chinese (apart from paths, keys, options and codes)', () => {
  it('over a set of failing invocations', async () => {
    const missingPw = write('pw.yaml', `${demo}\nserver:\n  mqtt: { url: "mqtt://127.0.0.1:1883", username: hallq-server, passwordFile: ${join(dir, 'nope.password')} }\n`);
    const badYaml = write('bad-yaml.yaml', 'hall: [\n  id: x\n');
    const modemless = write('modemless.yaml', `${demo}\nserver:\n  sms:\n    provider: modem\n`);
    const badKinds = write('bad-kinds.yaml', demo.replace('{ id: 1, kind: general,', '{ id: 1, kind: generall,').replace(/prefix: A\b/, 'prefix: a1').replace('- { id: 2, kind: general,', '- { id: 1, kind: general,'));
    const city = write('city.yaml', `city: { id: c, name: { zh: 市, en: C } }\nbroker: { urls: ['http://x'], passwordFile: ${join(dir, 'nope')} }\npostgres: { url: 'postgres://127.0.0.1/city' }\nhalls: [{ id: hall-a, name: { zh: 甲, en: A }, lat: 0, lon: 0 }]\n`);
    const invocations: string[][] = [
      ['citty'],
      ['queue', '--jsn'],
      ['config', 'check', join(dir, 'nope.yaml')],
      ['config', 'check', dir],
      ['report', '--from', '2026-11-05', '--to', '2026-11-01', '--db', 'x.db'],
      ['report', '--from', '2026-11-01', '--to', '2026-11-02', '--db', join(dir, 'none.db')],
      ['report', '--from', '2026-11-01', '--to', '2026-11-02', '--db', 'config/demo.yaml'],
      ['simulate', 'config/demo.yaml', '--windows', '13', '--days', '1'],
      ['broker', '--config', 'config/demo.yaml', '--out', '/proc/nope'],
      ['server', '--config', join(dir, 'nope.yaml')],
      ['staff', 'lst', '--config', 'config/demo.yaml'],
      ['report', '--from', '2026-11-01', '--to', '2026-11-02', '--by', 'weekday', '--db', 'x.db'],
      ['emulate', 'printr'],
      ['city', 'serv', '--config', 'x.yaml'],
    ];
    const leaks: string[] = [];
    for (const args of invocations) {
      const r = await hallq(args);
      expect(r.code, args.join(' ')).not.toBe(0);
      const zh = parts(r.stderr).zh;
      expect(zh, args.join(' ')).toMatch(/[\u4e00-\u9fff]/);
      const left = englishLeft(zh);
      if (left.length > 0) leaks.push(`hallq ${args.join(' ')}: ${zh} → ${left.join(' ')}`);
    }
    // config check: every problem's Chinese line (indented, after its English line).
    for (const file of [missingPw, badYaml, modemless, city, badKinds]) {
      const r = await hallq(['config', 'check', file]);
      expect(r.code, file).toBe(3);
      const zhLines = r.stderr.split('\n').filter((l) => l.startsWith('  '));
      expect(zhLines.length, `${file}: ${r.stderr}`).toBeGreaterThan(0);
      for (const l of zhLines) {
        // The YAML parser's own message is quoted on the English line only; the Chinese line names the line number.
        const left = englishLeft(l);
        if (left.length > 0) leaks.push(`config check ${file}: ${l} → ${left.join(' ')}`);
      }
    }
    expect(leaks).toEqual([]);
    // A mistyped choice is named with the allowed value it is a typo of.
    const kinds = await hallq(['config', 'check', badKinds]);
    expect(kinds.stderr).toContain('windows[0].kind: found "generall", expected one of general, domain, special, pickup (did you mean general?)');
    expect(kinds.stderr).toContain('windows[0].kind：收到"generall"，应为以下之一："general"、"domain"、"special"、"pickup"（是不是 "general"？）');
  }, 240_000);
});

describe('an SMS modem that is not there', () => {
  it('config check: no modem settings is an error at server.sms.modem; a device not there a warning at server.sms.modem.path', async () => {
    const none = await hallq(['config', 'check', write('m1.yaml', `${demo}\nserver:\n  sms:\n    provider: modem\n`)]);
    expect(none.code).toBe(3);
    expect(none.stderr).toContain('server.sms.modem: found nothing (the key is missing), expected the modem settings (provider is modem)');
    expect(none.stderr).toContain('server.sms.modem：收到空缺（缺少此项），应为"modem" 的设置（sms.provider 是 "modem"）');
    const absent = join(dir, 'ttyNOPE');
    const file = write('m2.yaml', `${demo}\nserver:\n  sms:\n    provider: modem\n    modem: { path: ${absent} }\n`);
    const warned = await hallq(['config', 'check', file]);
    expect(warned.code).toBe(0);
    expect(warned.stderr).toContain(`warning: server.sms.modem.path: the SMS modem ${absent}: it is not there (no such file or folder)`);
    expect(warned.stderr).toContain(`警告：server.sms.modem.path：短信猫 ${absent} 不存在`);
    const json = JSON.parse((await hallq(['config', 'check', file, '--json'])).stdout) as { ok: boolean; warnings?: { path: string }[] };
    // With SMS on, the demo kiosk's status page left at its loopback default is warned about too (the texts link it).
    expect(json).toMatchObject({ ok: true, warnings: [{ path: 'server.sms.modem.path' }, { path: 'agents[0].kiosk.statusBaseUrl' }] });
    // A modem that is there (a character device) is no warning.
    const fine = await hallq(['config', 'check', write('m3.yaml', `${demo}\nserver:\n  sms:\n    provider: modem\n    modem: { path: /dev/null }\n`)]);
    expect(fine.code).toBe(0);
    expect(fine.stderr).not.toContain('warning: server.sms.modem.path');
  }, 60_000);
});

describe('hallq call for a window the hall does not have', () => {
  const live = listeningRig();

  it('lists the hall\'s windows with their kinds, in both languages', async () => {
    const r = await hallq(['call', '99', '--server', live.base], { HALLQ_TOKEN: live.rig.cliToken });
    expect(r.code).toBe(1);
    const p = parts(r.stderr);
    expect(p.code).toBe('unknown-window');
    expect(p.message).toMatch(/^refused: the hall has no window 99; its windows: 1 \(general\), 2 \(general\), .*12 \(\w+\)$/);
    expect(p.zh).toMatch(/^本大厅没有 99 号窗口；有这些窗口：1 号（无差别综合窗口）、2 号（无差别综合窗口）、.*12 号（[^）]+）$/);
    expect(englishLeft(p.zh)).toEqual([]);
  }, 60_000);

  it('hallq issue for a service the hall does not have lists its services and the close one (issue 13)', async () => {
    const r = await hallq(['issue', 'socail', '--server', live.base], { HALLQ_TOKEN: live.rig.cliToken });
    expect(r.code).toBe(1);
    const p = parts(r.stderr);
    expect(p.code).toBe('unknown-service');
    expect(p.message).toMatch(/^refused: the hall has no service "socail"; its services: social, .* \(did you mean social\?\)$/);
    expect(p.zh).toMatch(/^本大厅没有业务 "socail"；有这些业务：social、.*（是不是 "social"？）$/);
    // An ID number typed for the service is not echoed (a second tryout): only its kind, as --json and the server say it.
    const id = await hallq(['issue', '110101199003077777', '--server', live.base], { HALLQ_TOKEN: live.rig.cliToken });
    expect(id.code).toBe(1);
    expect(id.stderr).not.toContain('110101199003077777');
    expect(parts(id.stderr).message).toMatch(/^refused: the hall has no service text of 18 characters; its services: /);
  }, 60_000);
});
