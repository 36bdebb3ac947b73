/**
 * issue 13: what the hallq command says about bad input reads like a product: `error: CODE: message
 * (messageZh)`, the key path, what was found and what was expected, in English and Chinese; never
 * zod's own wording ("Too small: expected number to be >=1") nor Node's parseArgs jargon.
 */
import { createServer, type AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { RAW_ZOD_TEXT } from '../../drivers/common/invalid-text.js';
import { listeningRig } from '../http/rig.js';
import { demoYaml, runHallq, scratch, type CliResult } from '../helpers/cli.js';

const hallq = (args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> => runHallq(args, { env });
const { write } = scratch('bad-input-words');

/** Node's parseArgs texts and developer words a hall technician should not meet. */
const JARGON = /To specify a positional argument|ERR_PARSE_ARGS|Unknown option|argument missing|positionals|TypeError|at .*\.js:\d+/;

const han = /[\u4e00-\u9fff]/;

describe('hallq: bad command lines', () => {
  it.each([
    [['queue', '--speed', '3'], 'error: USAGE: hallq queue has no option --speed (hallq queue 没有 --speed 这个选项)'],
    [['simulate', 'config/demo.yaml', '--days'], 'error: USAGE: --days needs a value, e.g. --days 5 (--days 后面要写上值，例如 --days 5)'],
    [['simulate', 'config/demo.yaml', '--days', 'x'], 'error: USAGE: --days is a whole number, e.g. --days 5 (not "x") (--days 应为整数，例如 --days 5（而不是 "x"）)'],
    [['status', '--json=yes'], 'error: USAGE: --json is a switch: it takes no value (write --json alone) (--json 是开关，后面不跟值)'],
    [['call', 'x'], 'error: USAGE: the window is its number, 1 or more, e.g. hallq call 3 (not "x") (窗口请写窗口号（从 1 起），例如 hallq call 3（而不是 "x"）)'],
    [['call'], 'error: USAGE: call needs the window number, e.g. hallq call 3 (请写上窗口号，例如 hallq call 3)'],
    [['frobnicate'], 'error: USAGE: there is no command "frobnicate" (没有 "frobnicate" 这个命令)'],
    [['config', 'check'], 'error: USAGE: config check needs the file to check, e.g. hallq config check /etc/hallq/hall.yaml (请写上要检查的配置文件，例如 hallq config check /etc/hallq/hall.yaml)'],
    [['demo', '--speed', '0'], 'error: USAGE: --speed is a whole number from 1 up, e.g. --speed 5 (not 0) (--speed 应为不小于 1 的整数（而不是 0）)'],
  ])('hallq %j', async (args, first) => {
    const r = await hallq(args);
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')[0]).toBe(first);
    expect(r.stderr).not.toMatch(JARGON);
  });
});

describe('hallq config check: a config with many faults', () => {
  it('words every fault as path, found, expected, in English and Chinese, with no zod text', async () => {
    const text = demoYaml()
      .replace('dailyQuota: 300', 'dailyQuota: 0')
      .replace(/utcOffsetMinutes: 480/, 'utcOffsetMinutes: "eight hours"');
    expect(text).toContain('dailyQuota: 0');
    const file = write('bad.yaml', text);
    const r = await hallq(['config', 'check', file]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(`${file}: services[0].dailyQuota: found 0, expected a number of at least 1\n  services[0].dailyQuota：收到0，应为不小于 1 的数`);
    expect(r.stderr).toContain(`${file}: hall.utcOffsetMinutes: found "eight hours", expected a number\n  hall.utcOffsetMinutes：收到"eight hours"，应为数字`);
    expect(r.stderr).toMatch(/2 problem\(s\) in .*bad\.yaml \(.*bad\.yaml 中有 2 处问题\)/);
    expect(r.stderr).not.toMatch(RAW_ZOD_TEXT);
  });

  it('the daemons say the same in one line', async () => {
    const file = write('bad-example.yaml', readFileSync('config/hall.example.yaml', 'utf8').replace('tickSeconds: 30', 'tickSeconds: 0'));
    const r = await hallq(['server', '--config', file]);
    expect(r.code).toBe(3);
    const line = r.stderr.trim();
    expect(line.split('\n')).toHaveLength(1);
    expect(line).toMatch(/^error: CONFIG_INVALID: hallq server did not start: 1 problem\(s\) in .*; first: server\.tickSeconds: found 0, expected a number (of at least 1|above 0)/);
    expect(line).toMatch(/第一处：server\.tickSeconds：收到0，应为/);
    expect(line).not.toMatch(RAW_ZOD_TEXT);
  });
});

describe('hallq against a server: its error bodies, as the server words them', () => {
  const live = listeningRig();

  it('a service id the API refuses: error: payload-invalid with the path, what was found and expected, in both languages', async () => {
    // (A window 0 never leaves the CLI: it is a usage error there.)
    const r = await hallq(['issue', 'x'.repeat(41), '--server', live.base], { HALLQ_TOKEN: live.rig.cliToken });
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toMatch(/^error: payload-invalid: body\.serviceId: found .+, expected .+ \(body\.serviceId：收到.+，应为.+\)$/);
    expect(r.stderr).not.toMatch(RAW_ZOD_TEXT);
  });

  it('without the CLI token: says what to do, in both languages', async () => {
    const r = await hallq(['queue', '--server', live.base], { HALLQ_TOKEN: '' });
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toMatch(/^error: unauthorized: .*HALLQ_TOKEN \(.+\)$/);
    expect(r.stderr).toMatch(han);
  });

  it('a global option mistyped (--versoin, -v): the options there are, and the close one, as a usage error', async () => {
    for (const typo of ['--versoin', '-v']) {
      const r = await hallq([typo]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`error: USAGE: there is no option "${typo}" before a command (only --version, -V, --help, -h); did you mean --version? (命令前没有 "${typo}" 这个选项`);
    }
  });

  it('a token the server does not know (another server\'s): says the token was refused, not that one is wanted', async () => {
    const r = await hallq(['queue', '--server', live.base], { HALLQ_TOKEN: 'not-this-servers-token' });
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toMatch(/^error: unauthorized: \/api\/queue: the server refused the CLI token sent .*\(服务器不接受所发的命令行令牌.*\)$/);
  });

  it('a server out of reach: one line, error: NOT_CONNECTED, why in words (never undici\'s text)', async () => {
    // Port 9: fetch refuses it before trying ("bad port").
    const blocked = await hallq(['status', '--server', 'http://127.0.0.1:9']);
    expect(blocked.code).toBe(1);
    expect(blocked.stderr.trim()).toMatch(/^error: NOT_CONNECTED: no answer from the hall server at http:\/\/127\.0\.0\.1:9: this port is one fetch never connects to .*\(连不上大厅服务器 http:\/\/127\.0\.0\.1:9：这个端口是浏览器禁用的端口.*请确认它在运行\)$/);
    expect(blocked.stderr).not.toContain('bad port');
    // A closed port: ECONNREFUSED in words.
    const closed = await new Promise<number>((resolve) => {
      const srv = createServer();
      srv.listen(0, '127.0.0.1', () => {
        const port = (srv.address() as AddressInfo).port;
        srv.close(() => resolve(port));
      });
    });
    const refused = await hallq(['status', '--server', `http://127.0.0.1:${closed}`]);
    expect(refused.stderr.trim()).toMatch(/: nothing answers there \(connection refused\); is it running\? .*连接被拒绝（那里没有程序在监听）/);
    expect(refused.stderr).not.toMatch(/ECONNREFUSED|connect E/);
  });
});
