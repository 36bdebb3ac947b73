import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { allowed, hallAcl, mosquittoAcl, topicMatches } from '../../src/bus/acl.js';
import { hashPassword, parsePasswordFile, verifyPassword } from '../../src/bus/passwd.js';
import { serverUserOf } from '../../src/config/agents.js';
import { loadConfigOrThrow } from '../../src/config/load.js';
import { brokerFiles } from '../../src/cli/broker.js';

const HAS_PASSWD = spawnSync('mosquitto_passwd', ['-h']).error === undefined;

describe('the broker ACL rules (one module for Mosquitto and the embedded broker)', () => {
  it('ship as config/mosquitto.acl.example exactly as `hallq broker` writes them for config/hall.example.yaml', () => {
    const config = loadConfigOrThrow('config/hall.example.yaml');
    expect(readFileSync('config/mosquitto.acl.example', 'utf8')).toBe(brokerFiles(config).acl);
    expect(brokerFiles(config).acl).toBe(mosquittoAcl(hallAcl(config.hall.id, serverUserOf(config)), config.agents.map((a) => a.id)));
  });

  it("let an agent publish only its own requests and status, and read its answers, events, state and the server's status", () => {
    const acl = hallAcl('h', 'hallq-server');
    const R = 'hallq/v1/h';
    expect(allowed(acl, 'kiosk-1', `${R}/req/kiosk-1`, 'write')).toBe(true);
    expect(allowed(acl, 'kiosk-1', `${R}/agent/kiosk-1/status`, 'write')).toBe(true);
    for (const t of [`${R}/req/counter-1`, `${R}/agent/counter-1/status`, `${R}/events`, `${R}/state/queue`, `${R}/res/kiosk-1`, `${R}/server/status`, 'hallq/v1/other/req/kiosk-1']) {
      expect(allowed(acl, 'kiosk-1', t, 'write'), t).toBe(false);
    }
    for (const t of [`${R}/res/kiosk-1`, `${R}/events`, `${R}/state/window/3`, `${R}/server/status`]) expect(allowed(acl, 'kiosk-1', t, 'read'), t).toBe(true);
    for (const t of [`${R}/res/counter-1`, `${R}/req/counter-1`, `${R}/agent/counter-1/devices`, `${R}/server/heartbeat`, '$SYS/broker/uptime']) expect(allowed(acl, 'kiosk-1', t, 'read'), t).toBe(false);
    // The server owns its hall, not another one; user names with wildcards never match a pattern.
    expect(allowed(acl, 'hallq-server', `${R}/events`, 'write')).toBe(true);
    // Only the server's user reads the heartbeat (the start probe): agents get no periodic traffic.
    expect(allowed(acl, 'hallq-server', `${R}/server/heartbeat`, 'read')).toBe(true);
    expect(allowed(acl, 'hallq-server', 'hallq/v1/other/events', 'write')).toBe(false);
    expect(allowed(acl, '+', `${R}/req/+`, 'write')).toBe(false);
    expect(allowed(acl, undefined, `${R}/events`, 'read')).toBe(false);
  });

  it('let an agent publish island forwards, answers and events only under its own id (README "Island mode")', () => {
    const acl = hallAcl('h', 'hallq-server');
    const R = 'hallq/v1/h';
    for (const t of [`${R}/island/fwd/kiosk-1`, `${R}/island/ans/kiosk-1/counter-1`, `${R}/island/ev/kiosk-1`]) expect(allowed(acl, 'kiosk-1', t, 'write'), t).toBe(true);
    // Never as another agent: a forward, an answer or an event under another id is dropped by the broker.
    for (const t of [`${R}/island/fwd/counter-1`, `${R}/island/ans/counter-1/kiosk-1`, `${R}/island/ev/counter-1`, `${R}/agent/counter-1/status`]) expect(allowed(acl, 'kiosk-1', t, 'write'), t).toBe(false);
    for (const t of [`${R}/island/fwd/counter-1`, `${R}/island/ans/counter-1/kiosk-1`, `${R}/island/ev/counter-1`, `${R}/agent/counter-1/status`]) expect(allowed(acl, 'kiosk-1', t, 'read'), t).toBe(true);
    // Answers addressed to another agent stay unread, and so do the others' device lists.
    for (const t of [`${R}/island/ans/counter-1/kiosk-2`, `${R}/agent/counter-1/devices`]) expect(allowed(acl, 'kiosk-1', t, 'read'), t).toBe(false);
  });

  it('let only the city bridge user publish the city\'s appointments and notices (city/in/)', () => {
    const acl = hallAcl('h', 'hallq-server');
    const R = 'hallq/v1/h';
    expect(allowed(acl, 'city', `${R}/city/in/notice`, 'write')).toBe(true);
    expect(allowed(acl, 'city', `${R}/city/in/appointments`, 'write')).toBe(true);
    for (const user of ['kiosk-1', 'counter-1', 'city-events']) expect(allowed(acl, user, `${R}/city/in/notice`, 'write'), user).toBe(false);
    expect(allowed(acl, 'city', 'hallq/v1/other/city/in/notice', 'write')).toBe(false);
    expect(mosquittoAcl(acl, [])).toMatch(/^user city\ntopic write hallq\/v1\/h\/city\/in\/#$/m);
  });

  it('write no pattern line without %u (Mosquitto 2 warns for each at every start), and give each user of the file exactly what the rules give it', () => {
    const acl = hallAcl('h', 'hallq-server');
    const agents = ['kiosk-1', 'counter-1'];
    const text = mosquittoAcl(acl, agents);
    for (const line of text.split('\n').filter((l) => l.startsWith('pattern '))) expect(line).toContain('%u');
    // The file read as Mosquitto reads it: a user's own topic lines, then every pattern with %u as the user.
    const own = new Map<string, string[][]>();
    const patterns: string[][] = [];
    let user: string | undefined;
    for (const line of text.split('\n')) {
      const [word, ...rest] = line.split(' ');
      if (word === 'user') user = rest[0];
      else if (word === 'topic' && user !== undefined) own.set(user, [...(own.get(user) ?? []), rest]);
      else if (word === 'pattern') patterns.push(rest);
    }
    const fileAllows = (u: string, topic: string, want: 'read' | 'write') =>
      [...(own.get(u) ?? []), ...patterns.map(([a, f]) => [a, (f ?? '').replaceAll('%u', u)])].some(([a, f]) => (a === 'readwrite' || a === want) && topicMatches(f ?? '', topic));
    const R = 'hallq/v1/h';
    const topicsToTry = [
      ...['req', 'res', 'island/fwd', 'island/ev'].flatMap((k) => ['kiosk-1', 'counter-1', 'city', 'other'].map((u) => `${R}/${k}/${u}`)),
      ...['kiosk-1', 'counter-1', 'city'].flatMap((u) => [`${R}/agent/${u}/status`, `${R}/agent/${u}/devices`, `${R}/island/ans/${u}/kiosk-1`, `${R}/island/ans/kiosk-1/${u}`]),
      `${R}/events`, `${R}/state/queue`, `${R}/state/window/3`, `${R}/server/status`, `${R}/server/heartbeat`, `${R}/city/in/notice`, 'hallq/v1/other/events',
    ];
    for (const u of [...agents, 'city', 'hallq-server'])
      for (const topic of topicsToTry) for (const want of ['read', 'write'] as const) expect(fileAllows(u, topic, want), `${u} ${want} ${topic}`).toBe(allowed(acl, u, topic, want));
  });

  it('match topics as MQTT does', () => {
    expect(topicMatches('a/#', 'a')).toBe(true);
    expect(topicMatches('a/#', 'a/b/c')).toBe(true);
    expect(topicMatches('a/+/c', 'a/b/c')).toBe(true);
    expect(topicMatches('a/+', 'a/b/c')).toBe(false);
    expect(topicMatches('a/b', 'a/b/c')).toBe(false);
    fc.assert(fc.property(fc.string(), fc.string(), (f, t) => typeof topicMatches(f, t) === 'boolean'));
  });
});

describe("Mosquitto's password file format", () => {
  it.skipIf(!HAS_PASSWD)("verifies the $7$ and $6$ lines Debian's mosquitto_passwd writes, and refuses wrong passwords", () => {
    const file = join(mkdtempSync(join(tmpdir(), 'hallq-passwd-')), 'passwd');
    spawnSync('mosquitto_passwd', ['-c', '-b', file, 'kiosk-1', 'k1-secret']);
    spawnSync('mosquitto_passwd', ['-b', file, 'counter-1', 'pässwörd:with colon']);
    spawnSync('mosquitto_passwd', ['-H', 'sha512', '-b', file, 'old-1', 'old-secret']);
    const users = parsePasswordFile(readFileSync(file, 'utf8'));
    expect(users.get('kiosk-1')).toMatch(/^\$7\$101\$/);
    expect(users.get('old-1')).toMatch(/^\$6\$/);
    expect(verifyPassword(users.get('kiosk-1') ?? '', 'k1-secret')).toBe(true);
    expect(verifyPassword(users.get('counter-1') ?? '', 'pässwörd:with colon')).toBe(true);
    expect(verifyPassword(users.get('old-1') ?? '', 'old-secret')).toBe(true);
    expect(verifyPassword(users.get('kiosk-1') ?? '', 'k1-secreT')).toBe(false);
    expect(verifyPassword(users.get('old-1') ?? '', 'k1-secret')).toBe(false);
  });

  it('writes $7$ hashes that verify, with a fresh salt each time', () => {
    const a = hashPassword('s3cret');
    expect(a).toMatch(/^\$7\$101\$[A-Za-z0-9+/]{16}\$[A-Za-z0-9+/=]{88}$/);
    expect(verifyPassword(a, 's3cret')).toBe(true);
    expect(verifyPassword(a, 's3creT')).toBe(false);
    expect(hashPassword('s3cret')).not.toBe(a);
  });

  it('never throws on any file text or hash', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (text, pw) => {
        const users = parsePasswordFile(text);
        for (const h of users.values()) expect(typeof verifyPassword(h, pw)).toBe('boolean');
        expect(verifyPassword(text, pw)).toBe(false);
      }),
      { numRuns: 2000 },
    );
    expect(verifyPassword('$7$99999999$x$y', 'a')).toBe(false);
    expect(verifyPassword('$7$0$AAAA$AAAA', 'a')).toBe(false);
  });
});

describe('hallq broker files', () => {
  it('keep existing users, add the missing ones with new passwords, and drop users the config no longer has', () => {
    const config = loadConfigOrThrow('config/hall.example.yaml');
    const first = brokerFiles(config, 'gone-1:$7$101$AAAA$BBBB\n');
    expect(first.created.map((c) => c.user)).toEqual(['hallq-server', 'kiosk-1', 'counter-1']);
    expect(first.removed).toEqual(['gone-1']);
    const users = parsePasswordFile(first.passwd);
    for (const { user, password } of first.created) expect(verifyPassword(users.get(user) ?? '', password)).toBe(true);
    const again = brokerFiles(config, first.passwd);
    expect(again.created).toEqual([]);
    expect(again.passwd).toBe(first.passwd);
  });
});
