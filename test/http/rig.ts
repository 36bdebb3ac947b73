import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll } from 'vitest';
import { silentLogger, type Logger } from '../../drivers/common/logger.js';
import { epochOf, type HallConfig } from '../../src/core/index.js';
import { loadConfigOrThrow } from '../../src/config/load.js';
import { hallConfigOf } from '../../src/config/hall-config.js';
import { HallEngine } from '../../src/server/engine.js';
import { buildHttp, type HallHttp } from '../../src/server/http.js';
import { MqttServer } from '../../src/server/mqtt-server.js';
import { requestAuthorizer } from '../../src/bus/authorize.js';
import type { ThrottleRules } from '../../src/server/auth/sign-in-throttle.js';

/** The demo hall's config with a manager and a technician, open all day (the demo's staff s01…s10 are staff). */
export function testConfig(): HallConfig {
  const c = hallConfigOf(loadConfigOrThrow('config/demo.yaml'));
  const allDay = [{ from: '00:00', to: '24:00' }];
  return {
    ...c,
    hours: { ...c.hours, weekly: { mon: allDay, tue: allDay, wed: allDay, thu: allDay, fri: allDay, sat: allDay, sun: allDay }, issuingCutoffMinutes: 0 },
    services: c.services.map(({ hours: _h, ...s }) => s),
  };
}

export interface HttpRig extends HallHttp {
  engine: HallEngine;
  mqtt: MqttServer;
  db: string;
  clock: () => number;
  /** Moves the hall clock on (session expiry). */
  advance(ms: number): void;
  close(): Promise<void>;
  /** Signs in and returns the cookie header value (throws unless 200). */
  signIn(staffId: string, secret: string, window?: number): Promise<string>;
}

export const PIN: Record<string, string> = { s01: '1111', s03: '3333', s05: '5555', m01: '9999', t01: '7777' };

/**
 * The hall server's HTTP app over a real SQLite file, driven with inject() (no socket); the MQTT side
 * is constructed but not connected (its publishes are no-ops), so commands run through the same path.
 */
export async function httpRig(
  opts: {
    signInThrottle?: Partial<ThrottleRules>;
    logger?: Logger;
    beforeReady?: (app: FastifyInstance) => void;
    /** An existing hall database: a restart of the server that had it. */
    db?: string;
    /** The hall clock this much later than the first rig's from the start (a server that was down meanwhile). */
    clockOffsetMs?: number;
    /** The config changed (between a server's runs). */
    config?: (c: HallConfig) => HallConfig;
    /** server.http.sessionHours (12). */
    sessionHours?: number;
    /** The engine's logger (silent unless given). */
    engineLogger?: Logger;
    /** Below this much free space under the database, /readyz says disk-low (server.diskLowMegabytes; a small tmpfs needs less). */
    diskLowBytes?: number;
  } = {},
): Promise<HttpRig> {
  const db = opts.db ?? join(mkdtempSync(join(tmpdir(), 'hallq-http-')), 'hall.db');
  const base = epochOf('2026-11-23', 600, 480);
  const start = Date.now();
  let offset = opts.clockOffsetMs ?? 0;
  const clock = () => base + (Date.now() - start) + offset;
  const engine = HallEngine.open(db, (opts.config ?? ((c) => c))(testConfig()), opts.engineLogger ?? silentLogger, clock(), opts.diskLowBytes === undefined ? {} : { diskLowBytes: opts.diskLowBytes });
  const mqtt = new MqttServer(engine, { url: 'mqtt://127.0.0.1:9', hall: 'demo-hall', clock, authorize: requestAuthorizer([]) }, silentLogger);
  const h = await buildHttp(engine, mqtt, { host: '127.0.0.1', port: 0, clock, credentialCost: { N: 1024, r: 8, p: 1 }, ...(opts.sessionHours === undefined ? {} : { sessionHours: opts.sessionHours }), ...(opts.signInThrottle ? { signInThrottle: opts.signInThrottle } : {}) }, opts.logger ?? silentLogger);
  // Set once per database: setting them again at a restart would end the sessions kept (a PIN set again).
  if (opts.db === undefined) for (const [id, pin] of Object.entries(PIN)) await h.credentials.set(id, pin, clock());
  opts.beforeReady?.(h.app);
  await h.app.ready();
  const signIn = async (staffId: string, secret: string, window?: number) => {
    const r = await h.app.inject({ method: 'POST', url: '/api/auth/sign-in', headers: { 'content-type': 'application/json' }, payload: { staffId, secret, ...(window === undefined ? {} : { window }) } });
    if (r.statusCode !== 200) throw new Error(`sign-in ${staffId}: ${r.statusCode} ${r.body}`);
    return cookieOf(r);
  };
  return {
    ...h,
    engine,
    mqtt,
    db,
    clock,
    advance: (ms) => {
      offset += ms;
    },
    signIn,
    close: async () => {
      await h.app.close();
      engine.close();
    },
  };
}

/**
 * A rig listening on a free port of 127.0.0.1 for the CLI's tests of one describe block: started before
 * them, closed after. `base` is its address for --server.
 */
export function listeningRig(): { readonly rig: HttpRig; readonly base: string } {
  let started: HttpRig | undefined;
  let base = '';
  beforeAll(async () => {
    started = await httpRig();
    base = await started.app.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => {
    await started?.close();
  });
  return {
    get rig() {
      if (started === undefined) throw new Error('the rig starts in beforeAll, before the tests');
      return started;
    },
    get base() {
      return base;
    },
  };
}

export function cookieOf(r: LightMyRequestResponse): string {
  const set = r.headers['set-cookie'];
  const first = Array.isArray(set) ? set[0] : set;
  return (first ?? '').split(';')[0] ?? '';
}

export type { FastifyInstance };
