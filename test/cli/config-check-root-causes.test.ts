/**
 * issue #13, rough edges a technician tryout found in `hallq config check`: a typo beside the real key
 * still gets its did-you-mean; a root problem (an id renamed onto another's, a service id mistyped) is
 * said once, not with the lines that only follow from it; an unknown key in a device whose `transport`
 * selects one option of a union is answered from that option's keys only. Each test checks every line
 * printed, as configCheck prints them (the CLI's own function, in this process).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { configCheck } from '../../src/cli/config-check.js';
import { demoYaml, scratch } from '../helpers/cli.js';

const { write } = scratch('config-check-root-causes');
const demo = demoYaml();

/** configCheck on a file written from `text`: its exit code and every line it printed to stderr. */
function check(name: string, text: string): { code: number; lines: string[]; file: string } {
  const file = write(name, text);
  let err = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((err += String(s)), true));
  try {
    const code = configCheck(file, false);
    // The problems only: demo.yaml's kiosk has no statusBaseUrl and no kioskJournal, warned about in
    // every run (test/cli/config-check-warnings.test.ts checks the warnings).
    const lines = err.split('\n').filter((l) => l !== '' && !l.includes(': warning: ') && !l.startsWith('  警告：'));
    return { code, lines, file };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}
afterEach(() => vi.restoreAllMocks());

/** `text` with `from` replaced, failing the test when `from` is not there (a changed demo.yaml). */
function edit(text: string, from: string | RegExp, to: string): string {
  const out = text.replace(from, to);
  expect(out).not.toBe(text);
  return out;
}

const services = 'social, medical, household, realestate, fund, business, tax, pickup';

describe('a misspelt key beside the real one', () => {
  it('still gets its did-you-mean, saying the real key is set too', () => {
    const r = check('interlave.yaml', edit(demo, '  interleave: { normal: 2, priority: 1 }\n', '  interleave: { normal: 2, priority: 1 }\n  interlave: { normal: 2, priority: 1 }\n'));
    expect(r.code).toBe(3);
    expect(r.lines).toEqual([
      `${r.file}: policy.interlave: found an unknown key, expected no such key (did you mean interleave? interleave is also set)`,
      '  policy.interlave：收到未知的项，应为没有这一项（是不是 "interleave"？"interleave" 也已设置）',
      `1 problem(s) in ${r.file} (${r.file} 中有 1 处问题)`,
    ]);
  });

  it('a key not written yet is still offered first', () => {
    const r = check('interlave-alone.yaml', edit(demo, '  interleave: { normal: 2, priority: 1 }\n', '  interlave: { normal: 2, priority: 1 }\n'));
    expect(r.lines[0]).toBe(`${r.file}: policy.interlave: found an unknown key, expected no such key (did you mean interleave?)`);
  });
});

describe('one root problem, said once', () => {
  it('a service renamed onto another\'s id: the duplicate, with the old id the tiers and the simulation still name', () => {
    const r = check('dup-service.yaml', edit(demo, '  - { id: medical, prefix: B', '  - { id: social, prefix: B'));
    expect(r.code).toBe(3);
    expect(r.lines).toEqual([
      `${r.file}: services[1].id: found "social", expected a service id not used before (services[0].id is "social" too; "medical" is no service's id now, yet it is named at 9 places, first at windows[0].tiers[0][1]: was it this one's id, or services[0]'s?)`,
      '  services[1].id：收到"social"，应为未被使用过的业务编号（services[0].id 也是 "social"；现在没有业务的编号是 "medical"，却有 9 处（首处 windows[0].tiers[0][1]）用到它：它原是这一项的编号，还是 services[0].id 原来的值？）',
      `1 problem(s) in ${r.file} (${r.file} 中有 1 处问题)`,
    ]);
  });

  it('beside a duplicate, a tier naming a typo of a known service is still said with its did-you-mean', () => {
    const r = check('dup-and-typo.yaml', edit(edit(demo, '  - { id: medical, prefix: B', '  - { id: social, prefix: B'), 'tiers: [[pickup]]', 'tiers: [[pikup]]'));
    expect(r.lines.filter((l) => !l.startsWith(' '))).toEqual([
      expect.stringMatching(/: services\[1\]\.id: found "social", expected a service id not used before \(services\[0\]\.id is "social" too; "medical" is no service's id now/),
      `${r.file}: windows[11].tiers[0][0]: found "pikup", expected one of the service ids social, household, realestate, fund, business, tax, pickup (did you mean pickup?)`,
      `2 problem(s) in ${r.file} (${r.file} 中有 2 处问题)`,
    ]);
  });

  it('a service id mistyped where nine places name the right one: said once, at the service', () => {
    const r = check('typo-service.yaml', edit(demo, '  - { id: medical, prefix: B', '  - { id: medicl, prefix: B'));
    expect(r.code).toBe(3);
    expect(r.lines).toEqual([
      `${r.file}: services[1].id: found "medicl", expected a service that at least one window serves (did you mean medical? "medical" is named at 9 places, first at windows[0].tiers[0][1], and no service has that id)`,
      '  services[1].id：收到"medicl"，应为至少有一个窗口办理的业务（是不是 "medical"？有 9 处（首处 windows[0].tiers[0][1]）写的是 "medical"，却没有这项业务）',
      `1 problem(s) in ${r.file} (${r.file} 中有 1 处问题)`,
    ]);
  });

  it('one tier mistyped: said at the tier, not also as a service no window serves', () => {
    const r = check('typo-tier.yaml', edit(demo, 'tiers: [[pickup]]', 'tiers: [[pikup]]'));
    expect(r.lines).toEqual([
      `${r.file}: windows[11].tiers[0][0]: found "pikup", expected one of the service ids ${services} (did you mean pickup?)`,
      `  windows[11].tiers[0][0]：收到"pikup"，应为以下业务编号之一：${services.split(', ').join('、')}（是不是 "pickup"？）`,
      `1 problem(s) in ${r.file} (${r.file} 中有 1 处问题)`,
    ]);
  });

  it('a window renamed onto another\'s id, its old id named at one place only: the duplicate, and the keypad on its own line pointing at it', () => {
    const r = check('dup-window.yaml', edit(demo, '  - { id: 2, kind: general', '  - { id: 1, kind: general'));
    expect(r.lines).toEqual([
      `${r.file}: windows[1].id: found 1, expected a window id not used before`,
      '  windows[1].id：收到1，应为未被使用过的窗口号',
      `${r.file}: agents[0].devices.rs485[0].keypads[1].window: found 2, expected a window id of windows; windows[1].id is a duplicate: was this its old id?`,
      '  agents[0].devices.rs485[0].keypads[1].window：收到2，应为已配置窗口的窗口号；windows[1].id 重复了：这是它原来的编号吗？',
      `2 problem(s) in ${r.file} (${r.file} 中有 2 处问题)`,
    ]);
  });

  it('a window renamed onto another\'s id beside a keypad\'s own mistake: the mistake is not guessed to be the old id', () => {
    const renamed = edit(demo, '  - { id: 12, kind: pickup', '  - { id: 11, kind: pickup');
    const r = check('dup-window-and-typo.yaml', edit(renamed, '{ window: 6, address: 6 }', '{ window: 66, address: 6 }'));
    expect(r.lines.filter((l) => !l.startsWith(' '))).toEqual([
      `${r.file}: windows[11].id: found 11, expected a window id not used before`,
      `${r.file}: agents[0].devices.rs485[0].keypads[5].window: found 66, expected a window id of windows; windows[11].id is a duplicate: was this its old id?`,
      `${r.file}: agents[0].devices.rs485[0].keypads[11].window: found 12, expected a window id of windows; windows[11].id is a duplicate: was this its old id?`,
      `3 problem(s) in ${r.file} (${r.file} 中有 3 处问题)`,
    ]);
    expect(r.lines.join('\n')).not.toContain('66 is no window');
  });

  it('a service renamed onto another\'s id beside one tier\'s own unknown id: nothing folded, each place said', () => {
    const renamed = edit(demo, '  - { id: medical, prefix: B', '  - { id: social, prefix: B');
    const r = check('dup-service-and-unknown.yaml', edit(renamed, 'tiers: [[pickup]]', 'tiers: [[zzz]]'));
    const lines = r.lines.filter((l) => !l.startsWith(' '));
    expect(lines[0]).toBe(`${r.file}: services[1].id: found "social", expected a service id not used before`);
    expect(lines).toContain(`${r.file}: windows[11].tiers[0][0]: found "zzz", expected one of the service ids social, household, realestate, fund, business, tax, pickup; services[1].id is a duplicate: was this its old id?`);
    expect(lines).toContain(`${r.file}: windows[0].tiers[0][1]: found "medical", expected one of the service ids social, household, realestate, fund, business, tax, pickup; services[1].id is a duplicate: was this its old id?`);
  });

  it('a keypad naming a window that is not there, with no duplicate: said at the keypad, beside a schema problem too', () => {
    const r = check('keypad-window.yaml', edit(demo, '{ window: 12, address: 12 }', '{ window: 13, address: 12 }'));
    expect(r.lines.filter((l) => !l.startsWith(' '))).toEqual([`${r.file}: agents[0].devices.rs485[0].keypads[11].window: found 13, expected a window id of windows`, `1 problem(s) in ${r.file} (${r.file} 中有 1 处问题)`]);
    const bad = check('keypad-window-bad.yaml', `${edit(demo, '{ window: 12, address: 12 }', '{ window: 13, address: 12 }')}\nserver:\n  tickSeconds: 0\n`);
    expect(bad.lines.filter((l) => !l.startsWith(' '))).toEqual([
      `${bad.file}: server.tickSeconds: found 0, expected a number above 0`,
      `${bad.file}: agents[0].devices.rs485[0].keypads[11].window: found 13, expected a window id of windows`,
      `2 problem(s) in ${bad.file} (${bad.file} 中有 2 处问题)`,
    ]);
  });

  it('an agent renamed onto another\'s id: the duplicate, with the agent.id that still names the old one', () => {
    const two = edit(demo, '\nagents:\n', '\nagents:\n  - id: kiosk-1\n    kiosk: {}\n');
    const r = check('dup-agent.yaml', `${edit(two, '  - id: demo-agent\n    kiosk: {}\n', '  - id: kiosk-1\n')}\nagent:\n  id: demo-agent\n`);
    expect(r.lines).toEqual([
      `${r.file}: agents[1].id: found "kiosk-1", expected an agent id not used before (agents[0].id is "kiosk-1" too; "demo-agent" is no agent's id now, yet it is named at agent.id: was it this one's id, or agents[0]'s?)`,
      '  agents[1].id：收到"kiosk-1"，应为未被使用过的代理编号（agents[0].id 也是 "kiosk-1"；现在没有代理的编号是 "demo-agent"，却在 agent.id 用到它：它原是这一项的编号，还是 agents[0].id 原来的值？）',
      `1 problem(s) in ${r.file} (${r.file} 中有 1 处问题)`,
    ]);
  });
});

describe('a check that depends on a value the schema refused does not run', () => {
  it('services missing (a misspelt key): the two lines, no line per tier naming a service', () => {
    const r = check('no-services.yaml', edit(demo, /^services:/m, 'sevices:'));
    expect(r.code).toBe(3);
    expect(r.lines.filter((l) => !l.startsWith(' '))).toEqual([
      `${r.file}: services: found nothing (the key is missing), expected a list`,
      `${r.file}: sevices: found an unknown key, expected no such key (did you mean services?)`,
      `2 problem(s) in ${r.file} (${r.file} 中有 2 处问题)`,
    ]);
  });

  it('agent.id naming no agent: that line only, not also the (right) broker user name against the typo', () => {
    const r = check('agent-typo.yaml', `${demo}\nagent:\n  id: demo-agnt\n  mqtt:\n    username: demo-agent\n`);
    expect(r.lines.filter((l) => !l.startsWith(' '))).toEqual([
      `${r.file}: agent.id: found "demo-agnt", expected the id of an agent in agents: demo-agent (did you mean demo-agent?)`,
      `1 problem(s) in ${r.file} (${r.file} 中有 1 处问题)`,
    ]);
  });
});

describe('an error inside a YAML anchor', () => {
  it('is said once, at the anchor, with the number of places using it (not once per *alias)', () => {
    const r = check('anchor.yaml', edit(demo, 'mon: &weekday [{ from: "08:30"', 'mon: &weekday [{ from: "8:30"'));
    expect(r.lines.filter((l) => !l.startsWith(' '))).toEqual([
      `${r.file}: hours.weekly.mon[0].from: found "8:30", expected a time of day as HH:MM, two digits each, 00:00 to 24:00, e.g. "09:00" (in the anchor &weekday, used at 5 places)`,
      `1 problem(s) in ${r.file} (${r.file} 中有 1 处问题)`,
    ]);
  });
});

describe('an unknown key in a device: the keys of the option its transport selects', () => {
  const devices = (printer: string, idcard: string) => edit(demo, '    kiosk: {}\n    devices:\n', `    kiosk: {}\n    devices:\n      printer: ${printer}\n      idcard: ${idcard}\n`);

  it('a usblp printer has no baud rate, a wedge reader no path: no other transport\'s key is offered', () => {
    const r = check('union-other.yaml', devices('{ transport: usblp, path: /dev/usb/lp0, baudrate: 9600 }', '{ transport: wedge, paht: /dev/ttyUSB0 }'));
    expect(r.code).toBe(3);
    expect(r.lines).toEqual([
      `${r.file}: agents[0].devices.printer.baudrate: found an unknown key, expected no such key (check the spelling)`,
      '  agents[0].devices.printer.baudrate：收到未知的项，应为没有这一项（请检查拼写）',
      `${r.file}: agents[0].devices.idcard.paht: found an unknown key, expected no such key (check the spelling)`,
      '  agents[0].devices.idcard.paht：收到未知的项，应为没有这一项（请检查拼写）',
      `2 problem(s) in ${r.file} (${r.file} 中有 2 处问题)`,
    ]);
  });

  it('a serial printer and reader: their own keys are offered', () => {
    const r = check('union-own.yaml', devices('{ transport: serial, path: /dev/ttyUSB1, baudrte: 9600 }', '{ transport: hid, vendorId: 1, productId: 2, framng: {} }'));
    expect(r.lines).toEqual([
      `${r.file}: agents[0].devices.printer.baudrte: found an unknown key, expected no such key (did you mean baudRate?)`,
      '  agents[0].devices.printer.baudrte：收到未知的项，应为没有这一项（是不是 "baudRate"？）',
      `${r.file}: agents[0].devices.idcard.framng: found an unknown key, expected no such key (did you mean framing?)`,
      '  agents[0].devices.idcard.framng：收到未知的项，应为没有这一项（是不是 "framing"？）',
      `2 problem(s) in ${r.file} (${r.file} 中有 2 处问题)`,
    ]);
  });
});
