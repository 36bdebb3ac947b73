/**
 * A technician tryout of `hallq config check` (issue #13): every warning is said from the file as
 * written beside the schema's problems (trustProxy: true was dropped when anything else was wrong);
 * the cross-key agent checks run beside an unrelated schema error; a kiosk whose tickets' QR code
 * points at this machine (statusBaseUrl left out, or loopback) and a kiosk without agent.kioskJournal
 * are warned about. configCheck in this process, every line it printed.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { configCheck } from '../../src/cli/config-check.js';
import { demoYaml, scratch } from '../helpers/cli.js';

const { write } = scratch('config-check-warnings');
const demo = demoYaml();

function check(name: string, text: string, json = false): { code: number; err: string; out: string; file: string } {
  const file = write(name, text);
  let err = '';
  let out = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((err += String(s)), true));
  try {
    return { code: configCheck(file, json), err, out, file };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}
afterEach(() => vi.restoreAllMocks());

/** The warning lines' key paths, in order. */
const warned = (err: string) => [...err.matchAll(/: warning: ([^:]+):/g)].map((m) => m[1]);

/** demo.yaml with a printer on its kiosk agent (as a hall has). */
function withPrinter(kiosk = '{}'): string {
  const out = demo.replace('    kiosk: {}\n    devices:\n', `    kiosk: ${kiosk}\n    devices:\n      printer: { transport: usblp, path: /dev/usb/lp0 }\n`);
  expect(out).not.toBe(demo);
  return out;
}

describe('warnings beside problems', () => {
  const s1 = `${demo}\nserver: { http: { port: 18999, trustProxy: true }, database: /nonexistent-hallq/x/hall.db }\nagent: { id: demo-agnet }\n`;

  it('text: trustProxy true is warned about beside an agent.id problem, with the database folder', () => {
    const r = check('s1.yaml', s1);
    expect(r.code).toBe(3);
    expect(warned(r.err)).toEqual(['server.database', 'server.http.trustProxy']);
    expect(r.err).toContain(`${r.file}: warning: server.http.trustProxy: true lets any client choose its address`);
    expect(r.err).toContain(`${r.file}: agent.id: found "demo-agnet", expected the id of an agent in agents: demo-agent (did you mean demo-agent?)`);
    expect(r.err).toContain('1 problem(s) in');
  });

  it('--json: the warnings key, trustProxy in it', () => {
    const r = check('s1-json.yaml', s1, true);
    const j = JSON.parse(r.out) as { ok: boolean; issues: { path: string }[]; warnings?: { path: string }[] };
    expect(j.issues.map((i) => i.path)).toEqual(['agent.id']);
    expect((j.warnings ?? []).map((w) => w.path)).toEqual(['server.database', 'server.http.trustProxy']);
  });

  it('a valid file says trustProxy true too', () => {
    const r = check('s1-valid.yaml', `${demo}\nserver: { http: { trustProxy: true } }\n`);
    expect(r.code).toBe(0);
    expect(warned(r.err)).toEqual(['server.http.trustProxy']);
  });
});

describe('the agent checks beside an unrelated schema error', () => {
  it('a bad port hides no agent.id that names no agent', () => {
    const r = check('s2.yaml', `${demo}\nserver: { http: { port: 99999 } }\nagent: { id: demo-agnet }\n`);
    expect(r.code).toBe(3);
    expect(r.err).toContain(`${r.file}: server.http.port: found 99999, expected a number of at most 65535`);
    expect(r.err).toContain(`${r.file}: agent.id: found "demo-agnet", expected the id of an agent in agents: demo-agent (did you mean demo-agent?)`);
    expect(r.err).toContain('2 problem(s) in');
  });

  it('an agent id twice, beside a bad window kind', () => {
    const twice = demo.replace('agents:\n', 'agents:\n  - id: demo-agent\n');
    expect(twice).not.toBe(demo);
    const r = check('s2-twice.yaml', twice.replace('kind: general', 'kind: generall'));
    expect(r.err).toContain('kind: found "generall"');
    expect(r.err).toMatch(/agents\[1\]\.id: found "demo-agent", expected an agent id not used before/);
  });
});

describe("a kiosk's status page address", () => {
  it('left out on a kiosk with a printer: warned at its key, saying the default address it means', () => {
    const r = check('s3-unset.yaml', `${withPrinter()}\nagent: { kioskJournal: /var/lib/hallq/kiosk-journal.db }\n`);
    expect(r.code).toBe(0);
    expect(warned(r.err)).toEqual(['agents[0].kiosk.statusBaseUrl']);
    expect(r.err).toContain(`${r.file}: warning: agents[0].kiosk.statusBaseUrl: is http://127.0.0.1:8080 (also its default when left out), an address of this machine: the QR code on each ticket`);
    expect(r.err).toContain('  警告：agents[0].kiosk.statusBaseUrl：是 http://127.0.0.1:8080（未设置时也是它），是本机地址');
  });

  it("so long that no ticket's QR code fits the paper: warned at its key, with the limit", () => {
    const long = `http://hall-server.example.com/${'x'.repeat(548)}`; // 579 bytes, one more than fits
    const r = check('s3-long.yaml', `${withPrinter(`{ statusBaseUrl: "${long}" }`)}\nagent: { kioskJournal: /var/lib/hallq/kiosk-journal.db }\n`);
    expect(r.code).toBe(0);
    expect(warned(r.err)).toEqual(['agents[0].kiosk.statusBaseUrl']);
    expect(r.err).toContain(`${r.file}: warning: agents[0].kiosk.statusBaseUrl: is 579 bytes long, more than the 578 bytes a status link may start with: every ticket's QR code`);
    // One byte less fits: no warning.
    const ok = check('s3-long-ok.yaml', `${withPrinter(`{ statusBaseUrl: "${long.slice(0, -1)}" }`)}\nagent: { kioskJournal: /var/lib/hallq/kiosk-journal.db }\n`);
    expect(warned(ok.err)).toEqual([]);
  });

  it('set to localhost: warned, saying the value', () => {
    const r = check('s3-localhost.yaml', `${withPrinter('{ statusBaseUrl: "http://localhost:8080" }')}\nagent: { kioskJournal: /var/lib/hallq/kiosk-journal.db }\n`);
    expect(r.err).toContain('warning: agents[0].kiosk.statusBaseUrl: is http://localhost:8080, an address of this machine');
  });

  it("set to the server's LAN address: no warning", () => {
    const r = check('s3-lan.yaml', `${withPrinter('{ statusBaseUrl: "http://192.168.1.10:8080" }')}\nagent: { kioskJournal: /var/lib/hallq/kiosk-journal.db }\n`);
    expect(r.code).toBe(0);
    expect(warned(r.err)).toEqual([]);
  });

  it('a kiosk with no printer in a hall that sends no SMS: no QR code goes out, no warning', () => {
    expect(warned(check('s3-no-printer.yaml', demo).err)).toEqual([]);
  });

  it('a kiosk with no printer in a hall that sends SMS: the texts link it, warned', () => {
    const r = check('s3-sms.yaml', `${demo}\nserver: { sms: { provider: modem, modem: { path: /dev/null } } }\n`);
    expect(warned(r.err)).toEqual(['agents[0].kiosk.statusBaseUrl']);
  });
});

describe("a kiosk's listener address (the tryout: kiosk.host 0.0.0.0 said nothing)", () => {
  const lan = (host: string) => `${withPrinter(`{ host: "${host}", statusBaseUrl: "http://192.168.1.10:8080" }`)}\nagent: { kioskJournal: /var/lib/hallq/kiosk-journal.db }\n`;

  it('bound to every address: warned at its key, in both languages', () => {
    const r = check('s4-any.yaml', lan('0.0.0.0'));
    expect(r.code).toBe(0);
    expect(warned(r.err)).toEqual(['agents[0].kiosk.host']);
    expect(r.err).toContain(`${r.file}: warning: agents[0].kiosk.host: is 0.0.0.0, not an address of this machine only: the kiosk API`);
    expect(r.err).toContain('  警告：agents[0].kiosk.host：是 0.0.0.0，不只是本机地址');
    expect(warned(check('s4-lan.yaml', lan('192.168.1.21')).err)).toEqual(['agents[0].kiosk.host']);
    expect(warned(check('s4-v6.yaml', lan('::')).err)).toEqual(['agents[0].kiosk.host']);
  });

  it('on this machine only (the default, or written so): no warning', () => {
    for (const host of ['127.0.0.1', 'localhost', '::1']) expect(warned(check(`s4-${host.replace(/\W/g, '')}.yaml`, lan(host)).err), host).toEqual([]);
  });
});

describe('agent.kioskJournal', () => {
  it("this box's kiosk without it (nor an island file): warned, also beside a problem", () => {
    const r = check('r2.yaml', `${withPrinter('{ statusBaseUrl: "http://192.168.1.10:8080" }')}\nserver: { tickSeconds: 0 }\n`);
    expect(r.code).toBe(3);
    expect(warned(r.err)).toEqual(['agent.kioskJournal']);
    expect(r.err).toContain('warning: agent.kioskJournal: not set (and no island file): this kiosk keeps its print journal in memory only');
  });

  it('an island file stands for it: no warning', () => {
    const r = check('r2-island.yaml', `${withPrinter('{ statusBaseUrl: "http://192.168.1.10:8080" }')}\nisland: { outbox: /var/lib/hallq/island.db }\n`);
    expect(warned(r.err)).toEqual([]);
  });

  it('a kiosk with no printer has no prints to journal: no warning', () => {
    const r = check('r2-no-printer.yaml', demo);
    expect(r.code).toBe(0);
    expect(warned(r.err)).toEqual([]);
  });
});
