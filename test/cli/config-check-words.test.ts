/**
 * issue 13, `hallq config check` as a technician meets it: the file checks said with the schema's
 * problems in one run, a folder given for the file, plain words for hours and for an unknown
 * agent.id, did-you-mean for a mistyped service id in tiers. The real CLI from this tree's build (dist/).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { demoYaml, runHallq, scratch } from '../helpers/cli.js';

const { dir, write } = scratch('config-check-words');
const demo = demoYaml();
const check = (...args: string[]) => runHallq(['config', 'check', ...args]);

describe('the files a config names are checked even when the schema refuses another key', () => {
  // A schema error (tickSeconds 0), a password file and a TLS key that are not there, a database
  // folder and a modem that are not there: all of them in one run.
  const server = (tick: number) =>
    `${demo}\nserver:\n  tickSeconds: ${tick}\n  mqtt: { url: "mqtt://127.0.0.1:1883", passwordFile: ${join(dir, 'nope.password')} }\n  http: { tls: { certFile: ${join(dir, 'nope.crt')}, keyFile: "" } }\n  database: ${join(dir, 'no-folder', 'hall.db')}\n  sms:\n    provider: modem\n    modem: { path: ${join(dir, 'no-modem')} }\n`;

  it('text: the schema problem, the unreadable files (each key once) and the warnings', async () => {
    const r = await check(write('both.yaml', server(0)));
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('server.tickSeconds: found 0, expected a number above 0');
    expect(r.stderr).toContain(`server.mqtt.passwordFile: found "${join(dir, 'nope.password')}" (it is not there (no such file or folder)), expected a file this user can read`);
    expect(r.stderr).toContain(`server.mqtt.passwordFile：收到"${join(dir, 'nope.password')}"（不存在），应为当前用户可读的文件`);
    expect(r.stderr).toContain(`server.http.tls.certFile: found "${join(dir, 'nope.crt')}"`);
    // keyFile "" is refused by the schema; it is not said a second time as a file that is not there.
    expect(r.stderr.match(/server\.http\.tls\.keyFile: /g)).toHaveLength(1);
    expect(r.stderr).toContain(`warning: server.database: the folder ${join(dir, 'no-folder')} of`);
    expect(r.stderr).toContain(`warning: server.sms.modem.path: the SMS modem ${join(dir, 'no-modem')}: it is not there`);
    expect(r.stderr).toContain('4 problem(s) in');
  }, 60_000);

  it('SMS off: the rating-link warning is said beside a schema problem too (a second tryout: it was dropped)', async () => {
    const r = await check(write('sms-off.yaml', `${demo}\nserver:\n  tickSeconds: 0\n  sms:\n    provider: none\n    ratingLink: { baseUrl: "https://hall.example.gov.cn" }\n`));
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('server.tickSeconds: found 0, expected a number above 0');
    expect(r.stderr).toContain('warning: server.sms.ratingLink: set, but server.sms.provider is none');
  }, 60_000);

  it('--json: issues and warnings together', async () => {
    const r = await check(write('both-json.yaml', server(0)), '--json');
    expect(r.code).toBe(3);
    const j = JSON.parse(r.stdout) as { ok: boolean; issues: { path: string }[]; warnings?: { path: string }[] };
    expect(j.ok).toBe(false);
    expect(j.issues.map((i) => i.path).sort()).toEqual(['server.http.tls.certFile', 'server.http.tls.keyFile', 'server.mqtt.passwordFile', 'server.tickSeconds']);
    expect((j.warnings ?? []).map((w) => w.path).sort()).toEqual(['agents[0].kiosk.statusBaseUrl', 'server.database', 'server.sms.modem.path']);
  }, 60_000);

  it('a schema-valid file with a missing password file still says the warnings', async () => {
    const r = await check(write('files-only.yaml', server(30)));
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('server.mqtt.passwordFile: found');
    expect(r.stderr).toContain('warning: server.database: the folder');
    expect(r.stderr).toContain('warning: server.sms.modem.path: the SMS modem');
  }, 60_000);
});

describe('a folder given for the config file', () => {
  it('says it is a folder and names the hall.yaml in it (or in its hallq/ folder, as for /etc)', async () => {
    const etc = join(dir, 'etc');
    mkdirSync(join(etc, 'hallq'), { recursive: true });
    write('etc/hallq/hall.yaml', demo);
    const r = await check(etc);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`error: CONFIG_NOT_FOUND: config: ${etc} is a folder, not a config file; did you mean ${join(etc, 'hallq', 'hall.yaml')}? (配置文件 ${etc} 是文件夹，不是配置文件；是不是 ${join(etc, 'hallq', 'hall.yaml')}？)`);
    write('etc/hallq/agent.yaml', demo);
    const inside = await check(join(etc, 'hallq'));
    expect(inside.stderr).toContain(`${join(etc, 'hallq')} is a folder, not a config file; did you mean ${join(etc, 'hallq', 'hall.yaml')} or ${join(etc, 'hallq', 'agent.yaml')}?`);
  }, 60_000);

  it('a folder with no config in it: says so, and what to give', async () => {
    const empty = join(dir, 'empty');
    mkdirSync(empty);
    const r = await check(empty);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`error: CONFIG_NOT_FOUND: config: ${empty} is a folder, not a config file, and has no .yaml file in it; give the file, e.g. /etc/hallq/hall.yaml (配置文件 ${empty} 是文件夹，不是配置文件，里面也没有 .yaml 文件；请写上配置文件本身，例如 /etc/hallq/hall.yaml)`);
  }, 60_000);
});

describe('hours and agent.id in plain words', () => {
  it('from after to is said at the to key with the from; a bad HH:MM with an example; not both for one period', async () => {
    const file = write('hours.yaml', demo.replace('mon: &weekday [{ from: "08:30", to: "12:00" }', 'mon: &weekday [{ from: "12:30", to: "12:00" }').replace('sat: [{ from: "09:00", to: "12:00" }]', 'sat: [{ from: "9:00", to: "25:00" }]').replace('hours: [{ from: "09:00", to: "12:00" }', 'hours: [{ from: "12:00", to: "12:00" }'));
    const r = await check(file);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('hours.weekly.mon[0].to: found "12:00", expected a time after from ("12:30"): a period ends after it starts');
    expect(r.stderr).toContain('hours.weekly.mon[0].to：收到"12:00"，应为晚于 from（"12:30"）的时间：时段要先开始、后结束');
    expect(r.stderr).toContain('services[7].hours[0].to: found "12:00", expected a time after from ("12:00")');
    expect(r.stderr).toContain('hours.weekly.sat[0].from: found "9:00", expected a time of day as HH:MM, two digits each, 00:00 to 24:00, e.g. "09:00"');
    expect(r.stderr).toContain('hours.weekly.sat[0].from：收到"9:00"，应为HH:MM 形式的时间，时和分各两位，00:00 至 24:00，例如 "09:00"');
    expect(r.stderr).toContain('hours.weekly.sat[0].to: found "25:00"');
    expect(r.stderr).not.toMatch(/sat\[0\](\.to)?: found (a group of keys|"25:00", expected a time after)/);
    expect(r.stderr).not.toContain('found a group of keys');
  }, 60_000);

  it('an agent.id not in agents: the known ids, and the close one', async () => {
    const r = await check(write('agent-id.yaml', `${demo}\nagent:\n  id: demo-agnet\n`));
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('agent.id: found "demo-agnet", expected the id of an agent in agents: demo-agent (did you mean demo-agent?)');
    expect(r.stderr).toContain('agent.id：收到"demo-agnet"，应为agents 中某个代理的编号：demo-agent（是不是 "demo-agent"？）');
    const none = await check(write('agent-none.yaml', `${demo.replace(/\nagents:[\s\S]*?\n\n/, '\nagents: []\n\n')}\nagent:\n  id: kiosk-1\n`));
    expect(none.stderr).toContain('agent.id: found "kiosk-1", expected the id of an agent in agents, but agents is empty');
  }, 60_000);
});

describe('a mistyped service id in a window\'s tiers', () => {
  it('offers the close service id', async () => {
    const r = await check(write('tiers.yaml', demo.replace('tiers: [[pickup]]', 'tiers: [[pikup]]')));
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('windows[11].tiers[0][0]: found "pikup", expected one of the service ids social, medical, household, realestate, fund, business, tax, pickup (did you mean pickup?)');
    expect(r.stderr).toContain('windows[11].tiers[0][0]：收到"pikup"，应为以下业务编号之一：social、medical、household、realestate、fund、business、tax、pickup（是不是 "pickup"？）');
    // The simulation's per-service keys alike.
    const sim = await check(write('sim-keys.yaml', demo.replace('    social:     [0,0', '    socail:     [0,0')));
    expect(sim.stderr).toContain('simulation.arrivalsPerHour.socail: found "socail", expected one of the service ids social, medical, household, realestate, fund, business, tax, pickup (did you mean social?)');
  }, 60_000);
});
