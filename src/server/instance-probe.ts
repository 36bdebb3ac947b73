import mqtt from 'mqtt';
import { HallqError } from '../../drivers/common/error.js';
import type { Logger } from '../../drivers/common/logger.js';
import { serverStatusSchema } from '../bus/event-schema.js';
import type { ServerStatus } from '../bus/messages.js';
import { parseJson } from '../bus/messages.js';

/**
 * Before the hall server takes the hall's broker identity (issue 13): is another hall server, on
 * another database, serving this hall on this broker right now? Both brokers hallq ships bind the
 * client id to the user (Mosquitto's use_username_as_clientid, the embedded broker alike), so a second
 * server with the same user would knock the first off, the first would knock it back on its
 * reconnect, and the two would fight for ever. The probe:
 *
 * 1. connects with the server's own client id, no will, a clean session, and reads the retained
 *    server status (a second SUBSCRIBE is the fence: the broker sends the first one's retained
 *    message before the second one's SUBACK);
 * 2. no status, any status from THIS database's instance id (online: the broker still holds the old
 *    session; or its last will), or a clean stop's offline status (it carries `at`): clear at once.
 *    The restart path (systemd after a crash or SIGKILL) is never refused and never delayed;
 * 3. online from another instance (or from a server too old to say its instance), or another
 *    instance's last will (`online: false` without `at`: the takeover by this very connection makes
 *    the broker publish it, before the probe can read what was there): the probe now holds the id,
 *    which has knocked that server off. A live server reconnects
 *    within its first backoff (≤ 0.5 s) and knocks the probe off in turn: that is proof it runs, and
 *    the start is refused (SERVER_RUNNING). Nobody within `liveWaitMs`: the status was stale (a host
 *    that lost power before its keepalive ran out; its will has now been sent by the takeover), clear.
 *
 * A broker that cannot be reached is not a reason to refuse: the server starts and connects when it
 * can (nothing was checked then; the log says so).
 */
export interface ProbeOptions {
  url: string;
  clientId: string;
  username?: string;
  password?: string;
  statusTopic: string;
  /** A topic with no traffic the server's user may read: the fence subscription. */
  fenceTopic: string;
  /** This server's database instance id. */
  instance: string;
  connectTimeoutMs?: number;
  /** How long a possibly running other server has to take the id back (default 5000 ms: ten times its first reconnect). */
  liveWaitMs?: number;
}

export type ProbeResult =
  | { kind: 'clear'; seen: 'none' | 'offline' | 'same-instance' | 'stale' }
  | { kind: 'unreachable'; error: string }
  | { kind: 'running'; other: ServerStatus };

/**
 * The probe, and once more when it finds a running server: a broker that restarts or drops the probe
 * while it watches looks the same as a takeover (MQTT 3.1.1 gives no reason, and Mosquitto 2.0 sends
 * none to MQTT 5 clients either), and a wrong SERVER_RUNNING would keep the hall's server down (the
 * unit does not restart exit 4). A live server takes its id back the second time too; a broker that
 * came back or stayed away does not (stale or unreachable: the server starts).
 */
export async function probeServerInstance(o: ProbeOptions): Promise<ProbeResult> {
  const first = await probeOnce(o);
  return first.kind === 'running' ? probeOnce(o) : first;
}

function probeOnce(o: ProbeOptions): Promise<ProbeResult> {
  return new Promise((resolve) => {
    let status: ServerStatus | undefined;
    let phase: 'connecting' | 'reading' | 'watching' | 'done' = 'connecting';
    let timer: NodeJS.Timeout | undefined;
    const client = mqtt.connect(o.url, {
      protocolVersion: 4,
      clientId: o.clientId,
      clean: true,
      reconnectPeriod: 0,
      connectTimeout: o.connectTimeoutMs ?? 3000,
      writeCache: false,
      ...(o.username ? { username: o.username } : {}),
      ...(o.password ? { password: o.password } : {}),
    });
    // A broker that accepts the connection but never answers the subscriptions holds no start for long.
    const bound = setTimeout(() => finish(phase === 'watching' && status ? { kind: 'clear', seen: 'stale' } : { kind: 'unreachable', error: 'the broker did not answer' }), (o.connectTimeoutMs ?? 3000) + (o.liveWaitMs ?? 5000) + 2000);
    const finish = (r: ProbeResult) => {
      if (phase === 'done') return;
      phase = 'done';
      clearTimeout(bound);
      if (timer) clearTimeout(timer);
      // A clean DISCONNECT when the probe still holds the id (no will is registered either way), before
      // the server's own connection takes the id.
      client.end(r.kind !== 'clear', {}, () => resolve(r));
    };
    client.on('error', (e) => {
      if (phase === 'connecting') finish({ kind: 'unreachable', error: e.message });
    });
    client.on('close', () => {
      if (phase === 'connecting') finish({ kind: 'unreachable', error: 'connection closed' });
      // Knocked off while watching: a client with the server's identity took it back.
      else if (phase === 'watching' && status) finish({ kind: 'running', other: status });
      else if (phase === 'reading') finish(status?.online && status.instance !== o.instance ? { kind: 'running', other: status } : { kind: 'unreachable', error: 'connection closed while reading the server status' });
    });
    client.on('message', (topic, payload) => {
      if (topic !== o.statusTopic) return;
      const json = parseJson(payload);
      const s = json.ok ? serverStatusSchema.safeParse(json.value) : undefined;
      if (s?.success) status = s.data;
    });
    client.once('connect', () => {
      phase = 'reading';
      client.subscribe(o.statusTopic, { qos: 1 }, (err) => {
        if (err) return finish({ kind: 'unreachable', error: err.message });
        client.subscribe(o.fenceTopic, { qos: 0 }, (err2) => {
          if (err2) return finish({ kind: 'unreachable', error: err2.message });
          if (!status) return finish({ kind: 'clear', seen: 'none' });
          if (status.instance === o.instance) return finish({ kind: 'clear', seen: 'same-instance' });
          // A clean stop's offline status carries its time; a last will cannot (it is written at connect),
          // and the will may be the one this very connection just caused by taking the id over.
          if (!status.online && status.at !== undefined) return finish({ kind: 'clear', seen: 'offline' });
          phase = 'watching';
          timer = setTimeout(() => finish({ kind: 'clear', seen: 'stale' }), o.liveWaitMs ?? 5000);
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
    `another hallq server (${where}) is serving hall ${hall} on this broker; this one (${database}) did not connect, so that one keeps running. Stop that server first, or give this one its own hall.id or broker user`,
    {
      hall,
      database,
      otherInstance: other.instance,
      otherHost: other.host,
      messageZh: `另一台 hallq 服务（${whereZh}）正在此消息服务器上服务大厅 ${hall}；本服务（${database}）没有连接，未影响它。请先停止那一台，或为本服务配置不同的 hall.id 或消息服务器用户`,
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
  else if (r.seen === 'stale') logger.warn({}, "the broker held another server's online status, but no server took its id back: a stale status; taking over");
  else logger.info({ seen: r.seen }, 'no other hall server on the broker');
}
