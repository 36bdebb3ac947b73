import { randomBytes } from 'node:crypto';
import mqtt from 'mqtt';
import { HallqError } from '../../drivers/common/error.js';
import type { Logger } from '../../drivers/common/logger.js';
import { serverStatusSchema } from '../bus/server-status-schema.js';
import { noDelayOn } from '../bus/no-delay.js';
import type { ServerStatus } from '../bus/messages.js';
import { parseJson } from '../bus/messages.js';

/** How often a connected hall server sends its heartbeat (its status on server/heartbeat, not retained). */
export const HEARTBEAT_MS = 3000;

/**
 * Before the hall server connects (issue 13): is another hall server, on another database, serving
 * this hall on this broker right now? Two servers with the same broker user and password would take
 * each other's session for ever. The probe never takes the running server's session: it connects
 * under a client id of its own (`<user>.probe.<random>`, no will, a clean session; the server's own id
 * is another, src/server/mqtt-server.ts), reads the retained server status and judges:
 *
 * - no status, a status from THIS database's instance id (online: the broker still holds the session of
 *   our own SIGKILLed process; or its last will), or offline (a clean stop, or another server's last
 *   will: it is gone): clear at once. The restart path is never refused and never delayed;
 * - online from another instance (or from a server too old to say its instance): a running server
 *   sends a heartbeat every HEARTBEAT_MS (its status on `heartbeatTopic`, not retained, which only the
 *   server's user reads: agents and the city bridge never get it), so the probe waits, bounded
 *   (`heartbeatWaitMs`, two heartbeats and a second), for one. A heartbeat, or a status that arrives
 *   live (not the retained copy a subscription is given), from another instance, online: it runs, the
 *   start is refused (SERVER_RUNNING). Offline: it stopped, clear. Nothing: the status was stale (a
 *   server SIGKILLed or a box that lost power, before the broker's keepalive fired its will), clear.
 *
 * Only a live message counts, so a broker that restarts under the probe (and hands the retained copy
 * out again, from its persistence) cannot pass for a running server: the probe reconnects, within
 * the same bound, and waits for a heartbeat again, whatever the broker holds then (the will it sent
 * for the running server as it went down is no sign that server is gone: it reconnects and beats). A broker that cannot be reached is not a reason
 * to refuse: the server starts and connects when it can (nothing was checked then; the log says so).
 *
 * The probe's id must stay its own: a listener that binds client ids to users (Mosquitto's
 * use_username_as_clientid) would turn it into the server's and take the running server's session.
 * The shipped config binds them on the LAN listener only; the server connects on localhost.
 */
export interface ProbeOptions {
  url: string;
  /** The probe's own client id: never the server's (probeClientId). */
  clientId: string;
  username?: string;
  password?: string;
  statusTopic: string;
  /** The running server's heartbeat topic (server/heartbeat: live only, never retained). */
  heartbeatTopic: string;
  /** A topic with no traffic the server's user may read: the fence subscription. */
  fenceTopic: string;
  /** This server's database instance id. */
  instance: string;
  connectTimeoutMs?: number;
  /** How long to wait for another instance's heartbeat (default two heartbeats and a second). */
  heartbeatWaitMs?: number;
  /** Each step, for the log and for tests (connected, status read, waiting, broker lost). */
  logger?: Logger;
}

export type ProbeResult =
  | { kind: 'clear'; seen: 'none' | 'offline' | 'same-instance' | 'stale' }
  | { kind: 'unreachable'; error: string }
  | { kind: 'running'; other: ServerStatus };

/** The probe's client id: the user's (or hallq-server-<hall>) with `.probe.` and 12 random hex digits. Agent ids have no dot. */
export function probeClientId(base: string): string {
  return `${base}.probe.${randomBytes(6).toString('hex')}`;
}

/** Runs the probe; resolves within connectTimeoutMs + 3 × heartbeatWaitMs whatever the broker does. */
export function probeServerInstance(o: ProbeOptions): Promise<ProbeResult> {
  const waitMs = o.heartbeatWaitMs ?? 2 * HEARTBEAT_MS + 1000;
  const connectMs = o.connectTimeoutMs ?? 3000;
  const log = o.logger;
  return new Promise((resolve) => {
    /** Another instance's online status, read first: the server whose heartbeat the probe waits for. */
    let watched: ServerStatus | undefined;
    let retained: ServerStatus | undefined;
    let done = false;
    let everConnected = false;
    let waitTimer: NodeJS.Timeout | undefined;
    let retryTimer: NodeJS.Timeout | undefined;
    const client = mqtt.connect(o.url, {
      protocolVersion: 4,
      clientId: o.clientId,
      clean: true,
      // Reconnects are the probe's own (after a lost broker only), within the bound.
      reconnectPeriod: 0,
      connectTimeout: connectMs,
      writeCache: false,
      ...(o.username ? { username: o.username } : {}),
      ...(o.password ? { password: o.password } : {}),
    });
    // Its two SUBSCRIBEs and their SUBACKs are small packets in a row: with Nagle on, one waited for the
    // broker's delayed ACK, 40 ms of every start (issue 12).
    noDelayOn(client);
    const finish = (r: ProbeResult) => {
      if (done) return;
      done = true;
      clearTimeout(bound);
      clearTimeout(waitTimer);
      clearTimeout(retryTimer);
      client.end(true, {}, () => resolve(r));
    };
    // Whatever the broker does (accepts and never answers, comes and goes), the start goes on.
    const bound = setTimeout(() => {
      finish(client.connected && watched ? { kind: 'clear', seen: 'stale' } : { kind: 'unreachable', error: 'the broker did not answer in time' });
    }, connectMs + 3 * waitMs);
    client.on('error', (e) => {
      if (!everConnected) finish({ kind: 'unreachable', error: e.message });
    });
    client.on('close', () => {
      if (done) return;
      if (!everConnected) return finish({ kind: 'unreachable', error: 'connection closed' });
      // The broker went away while the probe read or waited: ask again when it is back (a fresh wait).
      clearTimeout(waitTimer);
      log?.warn({}, 'broker connection lost while checking for another hall server: asking again');
      retryTimer = setTimeout(() => client.reconnect(), 250);
    });
    client.on('message', (topic, payload, packet) => {
      const beat = topic === o.heartbeatTopic;
      if (topic !== o.statusTopic && !beat) return;
      const json = parseJson(payload);
      const s = json.ok ? serverStatusSchema.safeParse(json.value) : undefined;
      if (!s?.success) return;
      // The copy a subscription is given: what the broker holds, however old (a server never retains a heartbeat).
      if (packet.retain) {
        if (beat) return;
        retained = s.data;
        return;
      }
      // Live: a server published it just now. Ours is not connected yet: another one runs.
      if (s.data.instance === o.instance) return;
      if (s.data.online) return finish({ kind: 'running', other: s.data });
      // It stopped cleanly (that status carries its time) while the probe watched. Its last will (no
      // time) is no proof: a broker going down sends the wills of its clients, and a live server
      // reconnects and beats; a dead one does not, and the wait ends as stale.
      if (watched && watched.instance === s.data.instance && s.data.at !== undefined) finish({ kind: 'clear', seen: 'offline' });
    });
    client.on('connect', () => {
      everConnected = true;
      retained = undefined;
      log?.debug({}, 'broker connected: reading the server status');
      client.subscribe([o.statusTopic, o.heartbeatTopic], { qos: 1 }, (err) => {
        // An error from a connection that closed meanwhile: the close asks again.
        if (err) return client.connected ? finish({ kind: 'unreachable', error: err.message }) : undefined;
        // A second SUBSCRIBE is the fence: the broker sends the first one's retained message before the second one's SUBACK.
        client.subscribe(o.fenceTopic, { qos: 0 }, (err2) => {
          if (err2) return client.connected ? finish({ kind: 'unreachable', error: err2.message }) : undefined;
          const status = retained;
          // Back after a lost broker: whatever it holds now (its persisted copy, the last will it sent
          // for the server when it went down) is no news of that server; only a live heartbeat is.
          if (!watched) {
            if (!status) return finish({ kind: 'clear', seen: 'none' });
            if (status.instance === o.instance) return finish({ kind: 'clear', seen: 'same-instance' });
            if (!status.online) return finish({ kind: 'clear', seen: 'offline' });
            watched = status;
          }
          log?.info({ otherInstance: watched.instance, otherHost: watched.host, waitMs }, "another hall server's status is online: waiting for its heartbeat");
          waitTimer = setTimeout(() => finish({ kind: 'clear', seen: 'stale' }), waitMs);
        });
      });
    });
  });
}

/** SERVER_RUNNING: the error a second server gives, in English and Chinese (CLI: `error: SERVER_RUNNING: …`). */
export function serverRunningError(hall: string, database: string, other: ServerStatus): HallqError {
  const where = `${other.instance ? `database instance ${other.instance}` : 'an older hallq'}${other.host ? ` on host ${other.host}` : ''}`;
  const whereZh = `${other.instance ? `数据库实例 ${other.instance}` : '旧版 hallq'}${other.host ? `，主机 ${other.host}` : ''}`;
  return new HallqError(
    'SERVER_RUNNING',
    `another hallq server (${where}) is serving hall ${hall} on this broker; this one (${database}) did not connect, so that one keeps running. Stop that server first, or, if this one is meant for another hall, give it that hall's own hall.id`,
    {
      hall,
      database,
      otherInstance: other.instance,
      otherHost: other.host,
      messageZh: `另一台 hallq 服务（${whereZh}）正在此消息服务器上服务大厅 ${hall}；本服务（${database}）没有连接，未影响它。请先停止那一台；若本服务是另一个大厅的，请为它配置该大厅自己的 hall.id`,
    },
  );
}

/** The probe's outcome in the log; throws SERVER_RUNNING when another server runs. */
export function actOnProbe(r: ProbeResult, hall: string, database: string, logger: Logger): void {
  if (r.kind === 'running') {
    logger.error({ otherInstance: r.other.instance, otherHost: r.other.host }, 'another hallq server is serving this hall on the broker: not starting');
    throw serverRunningError(hall, database, r.other);
  }
  if (r.kind === 'unreachable') logger.warn({ err: r.error }, 'broker unreachable at start: could not check for another hall server; connecting when it can');
  else if (r.seen === 'stale') logger.warn({}, "the broker held another server's online status, but no heartbeat of it came: a stale status; starting");
  else logger.info({ seen: r.seen }, 'no other hall server on the broker');
}
