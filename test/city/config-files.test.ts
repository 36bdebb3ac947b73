import { describe, expect, it } from 'vitest';
import { bridgeConfig } from '../../src/city/bridge.js';
import { ownClientId } from '../../src/city/client-id.js';
import { parseCityConfig } from '../../src/city/config.js';
import bcrypt from 'bcryptjs';
import { hallPermissions, natsNodeConfig, natsPasswordHash } from '../../src/city/nats-config.js';
import { project, summarize } from '../../src/city/project.js';
import { distanceKm } from '../../src/city/views.js';
import type { HallEvent } from '../../src/core/index.js';
import { simulate } from '../../src/sim/simulate.js';
import { allDayHall } from '../helpers/all-day-hall.js';

describe('city config files', () => {
  it("bridges only the hall's own topics, out under city/<hall>/ and the catch-up requests, appointments and notices in", () => {
    const conf = bridgeConfig({ hall: 'hall-a', addresses: ['10.0.0.1:1883', '10.0.0.2:1883'], remotePassword: 'r', localPassword: 'l' });
    const [control, events] = conf.split(/^(?=connection )/m).slice(1);
    const topicsOf = (part = '') => part.split('\n').filter((l) => l.startsWith('topic '));
    // The control connection: catch-up at QoS 0 (never queued), the city's appointments and notices at QoS 1.
    expect(topicsOf(control)).toEqual(['topic res/city out 0 hallq/v1/hall-a/ city/hall-a/', 'topic req/city in 0 hallq/v1/hall-a/ city/hall-a/', 'topic in/# in 1 hallq/v1/hall-a/city/ city/hall-a/']);
    expect(control).toMatch(/^notification_topic city\/hall-a\/bridge$/m);
    // The events' own connection: its backlog after a WAN cut holds up nothing else.
    expect(topicsOf(events)).toEqual(['topic events out 1 hallq/v1/hall-a/ city/hall-a/', 'topic state/# out 0 hallq/v1/hall-a/ city/hall-a/', 'topic server/status out 0 hallq/v1/hall-a/ city/hall-a/']);
    for (const part of [control, events]) {
      expect(part).toMatch(/^cleansession false$/m);
      expect(part).toMatch(/^try_private false$/m);
      expect(part).toMatch(/^restart_timeout 1 1$/m);
      expect(part).toMatch(/^address 10\.0\.0\.1:1883 10\.0\.0\.2:1883$/m);
      expect(part).toMatch(/^local_username city$/m);
    }
    // Client ids only the holder of the hall's cluster password can know (src/city/client-id.ts):
    // no other login can take the bridge's session over with a documented id.
    const ids = (c: string) => [...c.matchAll(/^remote_clientid (\S+)$/gm)].map((m) => m[1]);
    expect(ids(conf)).toEqual([expect.stringMatching(/^hallq-bridge-hall-a-[0-9a-f]{24}$/), expect.stringMatching(/^hallq-bridge-hall-a-events-[0-9a-f]{24}$/)]);
    expect(ids(bridgeConfig({ hall: 'hall-a', addresses: ['10.0.0.1:1883'], remotePassword: 'r', localPassword: 'other' }))).toEqual(ids(conf));
    const other = ids(bridgeConfig({ hall: 'hall-a', addresses: ['10.0.0.1:1883'], remotePassword: 'r2', localPassword: 'l' }));
    expect(other.some((id) => ids(conf).includes(id))).toBe(false);
  });

  it("derives the city service's client id from its password unless one is set", () => {
    const a = ownClientId('hallq-city', 'secret-1');
    expect(a).toMatch(/^hallq-city-[0-9a-f]{24}$/);
    expect(ownClientId('hallq-city', 'secret-1')).toBe(a);
    expect(ownClientId('hallq-city', 'secret-2')).not.toBe(a);
    const base = { city: { id: 'c', name: { zh: '市', en: 'C' } }, broker: { urls: ['mqtt://n1:1883'] }, postgres: { url: 'postgres://x' }, halls: [{ id: 'h', name: { zh: '厅', en: 'H' }, lat: 0, lon: 0 }] };
    expect(parseCityConfig(base).broker.clientId).toBeUndefined();
    expect(() => parseCityConfig({ ...base, broker: { ...base.broker, clientId: 'city' } })).toThrow(/broker\.clientId/);
  });

  it('lets a hall user publish under its own hall id only', () => {
    const p = hallPermissions('hall-a');
    expect(p.publish.every((s) => s.startsWith('city.hall-a.'))).toBe(true);
    expect(p.subscribe.every((s) => s.startsWith('city.hall-a.'))).toBe(true);
    const nodes = [1, 2, 3].map((i) => ({ name: `n${i}`, host: `10.0.0.${i}`, clientPort: 4222, clusterPort: 6222, mqttPort: 1883, storeDir: '/var/lib/nats' }));
    const conf = natsNodeConfig(nodes[0] as (typeof nodes)[0], nodes, { city: { user: 'city', password: 'c' }, halls: [{ hall: 'hall-a', password: 'a' }] });
    expect(conf).toContain('routes: ["nats-route://10.0.0.2:6222", "nats-route://10.0.0.3:6222"]');
    expect(conf).toContain('stream_replicas: 3');
    expect(conf).toMatch(/user: "hall-a".*allowed_connection_types: \["MQTT"\].*publish: \["city\.hall-a\.events"/);
    expect(conf).not.toMatch(/^\s*key:/m);
    // No password in clear: each is a bcrypt hash that nats-server checks the client's password against.
    const hashes = [...conf.matchAll(/password: "([^"]*)"/g)].map((m) => m[1] as string);
    expect(hashes).toHaveLength(2);
    for (const h of hashes) expect(h).toMatch(/^\$2[ab]\$11\$/);
    expect(bcrypt.compareSync('a', hashes[1] as string)).toBe(true);
    expect(bcrypt.compareSync('c', hashes[1] as string)).toBe(false);
    // A hash given in the secrets is written as it is, not hashed twice.
    expect(natsPasswordHash(hashes[0] as string)).toBe(hashes[0]);
    // With a key, JetStream encrypts what it stores (appointments waiting for a hall carry ID numbers).
    expect(natsNodeConfig(nodes[0] as (typeof nodes)[0], nodes, { city: { user: 'city', password: 'c' }, halls: [] }, { jetstreamKey: 'k-123' })).toMatch(/jetstream \{\n  store_dir: "\/var\/lib\/nats"\n  key: "k-123"\n\}/);
  });

  it('names the key path of a bad city config', () => {
    const good = { city: { id: 'nj', name: { zh: '南京', en: 'Nanjing' } }, broker: { urls: ['mqtt://10.0.0.1:1883'] }, postgres: { url: 'postgres:///city' }, halls: [{ id: 'a', name: { zh: 'a', en: 'a' }, lat: 32, lon: 118 }] };
    expect(parseCityConfig(good).http.port).toBe(8090);
    expect(() => parseCityConfig({ ...good, halls: [{ ...good.halls[0], id: 'a.b' }] })).toThrow(/halls(\.0|\[0\])\.id/);
    expect(() => parseCityConfig({ ...good, halls: [{ ...good.halls[0], lat: 91 }] })).toThrow(/halls(\.0|\[0\])\.lat/);
    // Configs nats-server would refuse: a hall named as the city service's user, two nodes on one address.
    expect(() => parseCityConfig({ ...good, halls: [{ ...good.halls[0], id: 'city' }] })).toThrow(/halls(\.0|\[0\])\.id/);
    expect(() => parseCityConfig({ ...good, broker: { ...good.broker, username: 'a' } })).toThrow(/halls(\.0|\[0\])\.id/);
    const node = { name: 'n1', host: '10.0.0.1' };
    expect(() => parseCityConfig({ ...good, cluster: { nodes: [node, { ...node, name: 'n2' }] } })).toThrow(/cluster\.nodes(\.1|\[1\])\.clientPort/);
    expect(parseCityConfig({ ...good, cluster: { nodes: [node, { ...node, name: 'n2', host: '10.0.0.2' }] } }).cluster?.nodes).toHaveLength(2);
    expect(() => parseCityConfig({ ...good, halls: [good.halls[0], good.halls[0]] })).toThrow(/listed twice/);
  });
});

describe('city projection', () => {
  const events: HallEvent[] = [];
  simulate({
    config: allDayHall('p', { zh: 'p', en: 'p' }, 3),
    startDay: '2026-11-23',
    days: 1,
    seed: 3,
    arrivalsPerHour: { A: 6, B: 3 },
    serviceTime: { A: { dist: 'exponential', meanMinutes: 5 }, B: { dist: 'exponential', meanMinutes: 5 } },
    priorityShare: 0.1,
    noShowRate: 0.1,
    noShowWaitMinutes: 2,
    warmupMinutes: 0,
    onCommand: (_c, es) => void events.push(...es),
  });

  it('carries no personal data into the city tables', () => {
    const out = JSON.stringify(events.map((e) => [project(e), summarize(e)]));
    expect(events.some((e) => JSON.stringify(e).includes('idHash'))).toBe(true);
    expect(out).not.toMatch(/idHash|idMasked|nameMasked|phone/);
  });

  it('issues a ticket once per TicketIssued and calls it once per first call', () => {
    const changes = events.flatMap(project);
    expect(changes.filter((c) => c.kind === 'issued').length).toBe(events.filter((e) => e.type === 'TicketIssued').length);
    expect(changes.filter((c) => c.kind === 'ticket' && c.called).length).toBe(events.filter((e) => e.type === 'TicketCalled').length);
  });

  it('a print confirmed in time changes nothing at the city; the late cut of a ticket the print-confirm timeout voided makes it wait again (finished cleared)', () => {
    const base = { seq: 1, at: 1_000, commandId: 'c' };
    expect(project({ ...base, type: 'TicketPrinted', ticketId: 't1' })).toEqual([]);
    expect(project({ ...base, type: 'TicketVoided', ticketId: 't1', reason: 'print-confirm-timeout', timedOut: true })).toMatchObject([{ kind: 'ticket', status: 'voided', finished: true }]);
    expect(project({ ...base, type: 'TicketPrinted', ticketId: 't1', revived: true })).toEqual([{ kind: 'ticket', ticketId: 't1', status: 'waiting', at: 1_000, reopened: true }]);
  });

  it('measures distances on the sphere', () => {
    // Nanjing to Shanghai, about 270 km.
    expect(distanceKm({ lat: 32.06, lon: 118.8 }, { lat: 31.23, lon: 121.47 })).toBeGreaterThan(260);
    expect(distanceKm({ lat: 32.06, lon: 118.8 }, { lat: 31.23, lon: 121.47 })).toBeLessThan(280);
  });
});
