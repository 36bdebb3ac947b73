/**
 * A technician's tryout: exit 3 for every invalid config at a daemon's start, exit 4 in every usage
 * text, "needs a value" naming the option with an example that fits it, and a negative number out of
 * range. The real CLI from this tree's build (dist/).
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { demoYaml, runHallq, scratch, type CliResult } from '../helpers/cli.js';
import { silentLogger } from '../../drivers/common/logger.js';
import { openCredentials } from '../../src/server/auth/credentials.js';


const hallq = (args: string[], input?: string): Promise<CliResult> => runHallq(args, input === undefined ? {} : { input });

const { dir, write } = scratch('tryout');
const demo = demoYaml();
const errorLineOf = (stderr: string) => stderr.split('\n').find((l) => l.startsWith('error: ')) ?? '';

describe('exit codes', () => {
  it('an agent whose password file is missing is an invalid config: exit 3, like a schema problem', async () => {
    const config = write('agent-nopw.yaml', `${demo}\nagent:\n  mqtt: { url: "mqtt://127.0.0.1:9", username: demo-agent, passwordFile: ${join(dir, 'nope.password')} }\n`);
    const r = await hallq(['agent', '--config', config]);
    expect(errorLineOf(r.stderr)).toMatch(/^error: CONFIG_INVALID: .*agent\.mqtt\.passwordFile/);
    expect(r.code).toBe(3);
  }, 60_000);

  it.each([[['--help']], [['server', '--help']], [['staff', '--help']]])('hallq %j lists exit 4 (SERVER_RUNNING)', async (args) => {
    const r = await hallq(args);
    expect(r.stdout).toContain('exit codes: 0 ok · 1 failure · 2 usage · 3 invalid config · 4 another server runs (SERVER_RUNNING)');
  }, 60_000);
});

describe('an option without its value', () => {
  it.each([
    [['server', '--config'], 'error: USAGE: --config needs a value, e.g. --config /etc/hallq/hall.yaml (--config 后面要写上值，例如 --config /etc/hallq/hall.yaml)'],
    [['agent', '-c'], 'error: USAGE: --config needs a value, e.g. --config /etc/hallq/hall.yaml (--config 后面要写上值，例如 --config /etc/hallq/hall.yaml)'],
    [['staff', 'passwd', 's04', '--config'], 'error: USAGE: --config needs a value, e.g. --config /etc/hallq/hall.yaml (--config 后面要写上值，例如 --config /etc/hallq/hall.yaml)'],
    [['status', '--server'], 'error: USAGE: --server needs a value, e.g. --server http://127.0.0.1:8080 (--server 后面要写上值，例如 --server http://127.0.0.1:8080)'],
    [['report', '--from'], 'error: USAGE: --from needs a value, e.g. --from 2026-03-02 (--from 后面要写上值，例如 --from 2026-03-02)'],
    [['print-test', '--png'], 'error: USAGE: --png needs a value (--png 后面要写上值)'],
    [['simulate', 'config/demo.yaml', '--seed', '-1'], 'error: USAGE: --seed is out of range: a whole number from 0 up (not "-1") (--seed 超出范围：应为不小于 0 的整数（而不是 "-1"）)'],
    [['simulate', 'config/demo.yaml', '--days=-3'], 'error: USAGE: --days is out of range: a whole number from 1 up (not "-3") (--days 超出范围：应为不小于 1 的整数（而不是 "-3"）)'],
    [['demo', '--seconds', '-1'], 'error: USAGE: --seconds is out of range: a whole number from 0 up (not "-1") (--seconds 超出范围：应为不小于 0 的整数（而不是 "-1"）)'],
  ])('hallq %j', async (args, line) => {
    const r = await hallq(args);
    expect(r.code).toBe(2);
    expect(errorLineOf(r.stderr)).toBe(line);
  }, 60_000);
});

describe('staff passwd says why, in Chinese too', () => {
  const config = () => write('staff.yaml', `${demo}\nserver:\n  database: ${join(dir, 'staff.db')}\n`);
  it('a PIN too short', async () => {
    const r = await hallq(['staff', 'passwd', 's04', '--config', config()], '12\n');
    expect(r.code).toBe(1);
    expect(errorLineOf(r.stderr)).toBe('error: NOT_SET: the PIN/password of s04 is not set: too short (2 characters): at least 4 (s04 的密码没有设置：太短（2 个字符）：至少 4 个字符)');
  }, 60_000);
  it('an empty stdin', async () => {
    const r = await hallq(['staff', 'passwd', 's04', '--config', config()], '');
    expect(r.code).toBe(1);
    expect(errorLineOf(r.stderr)).toBe(
      'error: NOT_SET: the PIN/password of s04 is not set: stdin is empty: give the PIN/password on its first line, e.g. echo 1234 | hallq staff passwd … (s04 的密码没有设置：标准输入为空：请在第一行给出密码，例如 echo 1234 | hallq staff passwd …)',
    );
  }, 60_000);
});

describe('staff passwd stores what it is given, or refuses it: never trims (issue 13)', () => {
  const db = join(dir, 'pin.db');
  const config = () => write('pin.yaml', `${demo}\nserver:\n  database: ${db}\n`);
  it('a PIN with spaces around it is refused, said why, and nothing is stored', async () => {
    const r = await hallq(['staff', 'passwd', 's05', '--config', config()], '  5555  \n');
    expect(r.code).toBe(1);
    expect(errorLineOf(r.stderr)).toContain('error: NOT_SET: the PIN/password of s05 is not set: it starts or ends with a space (or tab)');
    expect(errorLineOf(r.stderr)).toContain('开头或结尾有空格');
    const store = openCredentials(db, silentLogger);
    try {
      expect(store.has('s05')).toBe(false);
    } finally {
      store.close();
    }
  }, 60_000);
  it('only the line ending is taken off (CRLF too); spaces inside are kept', async () => {
    const r = await hallq(['staff', 'passwd', 's06', '--config', config()], '55 55\r\n');
    expect(r.code).toBe(0);
    // Said in Chinese too, as every other line of the command (tryout: the success line was English only).
    expect(r.stdout).toMatch(/^set the PIN\/password of s06 .*\n已设置 s06（.+）的密码；下次登录起生效/m);
    const store = openCredentials(db, silentLogger);
    try {
      expect(await store.verify('s06', '55 55')).toBe(true);
      expect(await store.verify('s06', '5555')).toBe(false);
      await expect(store.set('s07', ' 1234', 0)).rejects.toThrow('no space at its start or end');
    } finally {
      store.close();
    }
  }, 60_000);
});

describe('staff list says when a PIN was set in hall time, and says so (issue 13)', () => {
  it('hall.utcOffsetMinutes 480: the hall clock, not the machine zone, with UTC+08:00 in the heading', async () => {
    const db = join(dir, 'list.db');
    const config = write('list.yaml', `${demo}\nserver:\n  database: ${db}\n`);
    expect((await hallq(['staff', 'passwd', 's03', '--config', config], '2468\n')).code).toBe(0);
    const store = openCredentials(db, silentLogger);
    const updated = store.list().find((c) => c.staffId === 's03')?.updated ?? 0;
    store.close();
    const r = await hallq(['staff', 'list', '--config', config]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('PIN/password (set, hall time UTC+08:00)');
    const hall = new Date(updated + 480 * 60_000).toISOString().slice(0, 16).replace('T', ' ');
    const line = r.stdout.split('\n').find((l) => l.startsWith('s03')) ?? '';
    expect(line).toContain(`set ${hall}`);
    expect(line).not.toContain(new Date(updated).toISOString().slice(0, 16).replace('T', ' '));
  }, 60_000);
});

describe('did-you-mean where there was none (issue 13)', () => {
  it.each([
    [['version'], 'error: USAGE: there is no command "version"; did you mean hallq --version? (没有 "version" 这个命令，是不是要用 hallq --version？)'],
    [['demo', '--sped', '5'], 'error: USAGE: hallq demo has no option --sped; did you mean --speed or --seed? (hallq demo 没有 --sped 这个选项，是不是要用 --speed 或 --seed？)'],
    // The word is checked before --config is asked for.
    [['staff', 'lst'], 'error: USAGE: staff has no "lst": it takes passwd STAFF, remove STAFF or list; did you mean list? (hallq staff 没有 "lst"，可用：hallq staff passwd 工号、hallq staff remove 工号 或 hallq staff list；是不是要用 hallq staff list？)'],
    [['city', 'serv'], 'error: USAGE: hallq city has no "serv": it takes one of serve, bridge, nats-config; did you mean serve? (hallq city 没有 "serv"，可用："serve"、"bridge"、"nats-config"；是不是要用 "serve"？)'],
  ])('hallq %j', async (args, line) => {
    const r = await hallq(args);
    expect(r.code).toBe(2);
    expect(errorLineOf(r.stderr)).toBe(line);
  }, 60_000);
});

describe('paths that are not there', () => {
  it('print-test --png into a missing folder names the folder', async () => {
    const file = join(dir, 'no-such-dir', 'x.png');
    const r = await hallq(['print-test', '--png', file]);
    expect(r.code).toBe(1);
    expect(errorLineOf(r.stderr)).toBe(`error: FILE_IO: --png: cannot write ${file}: the folder ${join(dir, 'no-such-dir')} is not there (create it first) (--png：${file} 写入失败：目录 ${join(dir, 'no-such-dir')} 不存在（请先创建）)`);
  }, 60_000);
  it('emulate printer --port that is not there: the path in Chinese too', async () => {
    const port = join(dir, 'no-such-port');
    const r = await hallq(['emulate', 'printer', '--port', port]);
    expect(r.code).toBe(1);
    expect(errorLineOf(r.stderr)).toBe(`error: TRANSPORT_OPEN_FAILED: cannot open ${port}@115200: it is not there (no such file or folder) (打不开串口 ${port}：不存在)`);
  }, 60_000);
});

describe('config check finds what the server would die of', () => {
  const check = (name: string, server: string) => hallq(['config', 'check', write(name, `${demo}\nserver:\n${server}`)]);

  it.each([['"nonsense"'], ['"10.0.0.1, nonsense"'], ['1'], ['"::1/200"']])('trustProxy %s is an error at its key', async (value) => {
    const r = await check('tp.yaml', `  database: ${join(dir, 'tp.db')}\n  http: { trustProxy: ${value} }\n`);
    expect(r.code).toBe(3);
    expect(r.stdout + r.stderr).toContain(`server.http.trustProxy: found ${value}, expected true, false, or the proxy: an address, a CIDR range (10.0.0.0/8)`);
    expect(r.stdout + r.stderr).toContain(`server.http.trustProxy：收到${value}，应为true、false 或代理地址`);
  }, 60_000);

  it('a list names the bad entry', async () => {
    const r = await check('tpl.yaml', `  database: ${join(dir, 'tp.db')}\n  http: { trustProxy: ["10.0.0.0/8", "bad"] }\n`);
    expect(r.code).toBe(3);
    expect(r.stdout + r.stderr).toContain('server.http.trustProxy[1]: found "bad"');
  }, 60_000);

  it.each([['"10.0.0.0/8, loopback"'], ['["127.0.0.1", "uniquelocal", "fe80::/10"]'], ['"10.0.0.0/255.0.0.0"'], ['false']])('trustProxy %s is valid, no warning', async (value) => {
    const r = await check('tpok.yaml', `  database: ${join(dir, 'tp.db')}\n  http: { trustProxy: ${value} }\n`);
    expect(r.code).toBe(0);
    expect(r.stdout + r.stderr).not.toContain('warning');
  }, 60_000);

  it('trustProxy true is a warning (exit 0)', async () => {
    const r = await check('tpt.yaml', `  database: ${join(dir, 'tp.db')}\n  http: { trustProxy: true }\n`);
    expect(r.code).toBe(0);
    expect(r.stdout + r.stderr).toContain('warning: server.http.trustProxy: true lets any client choose its address (X-Forwarded-For), so the per-address sign-in throttle can be bypassed');
    expect(r.stdout + r.stderr).toContain('警告：server.http.trustProxy：true 让任何客户端都能自称任意地址');
  }, 60_000);

  it('a database folder that is not there: a warning at server.database in config check, and the server names it', async () => {
    const folder = join(dir, 'no-such-dir');
    const server = `  database: ${join(folder, 'hall.db')}\n  http: { host: 127.0.0.1, port: 0 }\n  mqtt: { url: "mqtt://127.0.0.1:9" }\n`;
    const r = await check('db.yaml', server);
    expect(r.code).toBe(0);
    expect(r.stdout + r.stderr).toContain(`warning: server.database: the folder ${folder} of ${join(folder, 'hall.db')} is not there; the server does not create it`);
    expect(r.stdout + r.stderr).toContain(`警告：server.database：数据库 ${join(folder, 'hall.db')} 所在的目录 ${folder} 不存在`);
    const s = await hallq(['server', '--config', join(dir, 'db.yaml')]);
    expect(s.code).toBe(1);
    expect(errorLineOf(s.stderr)).toMatch(new RegExp(`^error: STORE_IO: hallq server cannot start: server\\.database: the folder ${folder} of .* is not there; .*\\(hallq server 未能启动：server\\.database：数据库 .* 所在的目录 ${folder} 不存在；`));
  }, 60_000);
});
