import { hostname } from 'node:os';
import type http from 'node:http';
import type { Logger } from '../../drivers/common/logger.js';
import { hallConfigOf } from '../config/hall-config.js';
import type { HallqConfig } from '../config/schema.js';
import { createLogger } from '../log/logger.js';
import { createNotifier } from '../ops/sd-notify.js';
import { HallEngine } from './engine.js';
import { requestAuthorizer } from '../bus/authorize.js';
import { startHttp } from './http.js';
import { startSms } from './sms/sms-service.js';
import { configWarnings } from '../config/warnings.js';
import { readReferencedFile } from '../config/referenced-files.js';
import { startPlatform } from './platform/platform-service.js';
import { MqttServer } from './mqtt-server.js';
import { CityInbox } from './city-inbox.js';
import { CITY_AGENT, topics } from '../bus/topics.js';
import { settledWithin } from '../ops/bounded.js';
import { StartupScope } from '../ops/startup.js';
import { lockDatabase } from '../store/lock.js';
import { actOnProbe, probeClientId, probeServerInstance } from './instance-probe.js';

import { startIslandServer } from './island-server.js';
import { logPrintTimeouts } from './print-timeout-log.js';
import { warnUncallable } from './uncallable-warning.js';
import { clockBehindWatch } from './clock-behind.js';
import { aliveFile } from './alive-file.js';

export interface RunningServer {
  engine: HallEngine;
  mqtt: MqttServer;
  http: http.Server;
  /**
   * SIGHUP (systemctl reload): the hall part of a re-read config (services, windows, staff, hours, rules)
   * enters the log as a HallConfigured event when it changed, and the pages and agents follow it.
   * Listeners, broker address, database and SMS take effect at the next restart (a warning says so).
   * Returns whether a new config was recorded.
   */
  reload(next: HallqConfig): boolean;
  stop(): Promise<void>;
}

/**
 * `hallq server`: the hall's truth. Refuses to start on a bad config, or when another server (another
 * database) serves the hall on the broker (SERVER_RUNNING); READY=1 once the log is replayed, HTTP
 * listens and that check is done (a broker that does not answer within 3 s is not waited for),
 * whether the broker is reachable or not (it is reconnected to with
 * backoff; /readyz says "degraded", broker disconnected, meanwhile); WATCHDOG=1 while the event loop runs.
 */
export async function runServer(configPath: string, clock: () => number = Date.now): Promise<RunningServer> {
  // The YAML parser and the schema load only here: `hallq server` hands startServerFrom a checked config (src/cli/daemon.ts).
  const { loadConfigOrThrow } = await import('../config/load.js');
  return startServerFrom(loadConfigOrThrow(configPath), clock);
}

export async function startServerFrom(
  config: HallqConfig,
  clock: () => number = Date.now,
  root: Logger = createLogger({ level: config.server.logLevel }),
  /** What the start opened so far (src/ops/startup.ts): the daemon aborts it on a stop during the start. */
  scope: StartupScope = new StartupScope(),
): Promise<RunningServer> {
  try {
    return await startServer(config, clock, root, scope);
  } catch (e) {
    // A start that failed (a port taken, the database locked, a file unreadable) or was stopped:
    // close what it opened, bounded, so the process can end and nothing keeps the broker's client id.
    await scope.closeAll();
    throw e;
  }
}

async function startServer(config: HallqConfig, clock: () => number, root: Logger, scope: StartupScope): Promise<RunningServer> {
  const logger: Logger = root.child({ component: 'server', hall: config.hall.id });
  const notifier = createNotifier(process.env, logger.child({ component: 'sd-notify' }));
  // One writer per log: a second server on the same file is refused before it reads or appends anything.
  const lock = lockDatabase(config.server.database);
  scope.add('database lock', () => lock.release());
  const engine = HallEngine.open(config.server.database, hallConfigOf(config), logger.child({ component: 'store' }), clock(), { diskLowBytes: config.server.diskLowMegabytes * 1024 * 1024 });
  scope.add('event log', () => engine.close());
  scope.add('print timeout log', logPrintTimeouts(engine, logger.child({ component: 'kiosk-prints' })));
  const instance = engine.log.instanceId();
  const password = config.server.mqtt.passwordFile ? readReferencedFile('server.mqtt.passwordFile', config.server.mqtt.passwordFile).trim() : undefined;
  // When the server last ran on this database (read before it marks itself alive): the hall's time without it.
  const alive = aliveFile(config.server.database, logger);
  scope.add('alive mark', () => alive.stop());
  const mqtt = new MqttServer(
    engine,
    {
      ...(alive.lastAliveAt === undefined ? {} : { lastAliveAt: alive.lastAliveAt }),
      url: config.server.mqtt.url,
      hall: config.hall.id,
      clock,
      maxMessageBytes: config.server.mqtt.maxMessageBytes,
      authorize: requestAuthorizer(config.agents),
      agents: config.agents.map((a) => a.id),
      instance,
      host: hostname(),
      ...(config.server.mqtt.username ? { username: config.server.mqtt.username } : {}),
      ...(password ? { password } : {}),
    },
    logger.child({ component: 'mqtt' }),
  );
  // The SMS outbox hooks in before the first command can arrive.
  // Its issued texts link the status page the kiosks print in the QR code (the first kiosk's statusBaseUrl).
  const statusBaseUrl = config.agents.find((a) => a.kiosk)?.kiosk?.statusBaseUrl;
  const sms = startSms({ config: config.server.sms, database: config.server.database, engine, mqtt, clock, logger, ...(statusBaseUrl ? { statusBaseUrl } : {}) });
  if (sms) scope.add('SMS outbox', () => sms.stop());
  // A modem that is not there (yet), trustProxy: true: they do not stop the hall; said once at the start, with the key path.
  // The kiosk's own journal is the agent's to say (at its start), not the server's.
  for (const w of configWarnings(config).filter((x) => x.path !== 'agent.kioskJournal')) logger.child({ component: 'config' }).warn({ key: w.path, zh: w.zh }, w.en);
  // Said once at every start: the kiosks follow it (HallConfig.smsEnabled), so nobody is promised a text.
  if (!sms) logger.child({ component: 'sms' }).warn({ key: 'server.sms.provider', zh: '短信已关闭（server.sms.provider: none）：自助机不收集手机号，不提供短信取号' }, 'SMS is off (server.sms.provider: none): kiosks take no phone numbers and give no SMS-only tickets');
  // Island mode: number leases for the kiosks, and the return of the agents' outboxes.
  const island = startIslandServer(config, engine, mqtt, clock, logger.child({ component: 'island' }));
  if (island) scope.add('island mode', () => island.stop());
  // Requests are authorized by the agent id in their topic, which only the broker's ACL vouches for.
  if (!config.server.mqtt.username) logger.warn({}, 'server.mqtt.username not set: a broker without users lets any client speak as any agent');
  // The platform link follows the log from its cursor; it runs commands (imported appointments) like any other sender.
  const platform = startPlatform({ config: config.platform, hall: config.hall.id, database: config.server.database, engine, run: (cmd) => mqtt.run(cmd), sms, clock, logger: logger.child({ component: 'platform' }) });
  if (platform) scope.add('platform link', () => platform.stop());
  // Bridged to a city (the agent `city`, docs/city.md): the city's appointments and notices.
  if (config.agents.some((a) => a.id === CITY_AGENT)) {
    const appointments = platform?.appointments;
    mqtt.setCityInbox(new CityInbox({ root: topics(config.hall.id).root, run: (cmd) => mqtt.run(cmd), importAppointments: appointments ? (list) => appointments.applyAll(list) : undefined, clock, logger: logger.child({ component: 'city-inbox' }), maxBytes: config.server.mqtt.maxMessageBytes }));
  }
  const h = config.server.http;
  // The certificate files by their key paths, before Fastify reads them (its error would be a bare ENOENT).
  if (h.tls) {
    readReferencedFile('server.http.tls.certFile', h.tls.certFile);
    readReferencedFile('server.http.tls.keyFile', h.tls.keyFile);
  }
  const server = await startHttp(
    engine,
    mqtt,
    { host: h.host, port: h.port, clock, database: config.server.database, trustProxy: h.trustProxy, sessionHours: h.sessionHours, ...(h.tls ? { tls: h.tls } : {}), ...(platform ? { platform } : {}) },
    logger.child({ component: 'http' }),
  );
  scope.add('HTTP listener', async () => {
    const closed = new Promise<void>((r) => server.close(() => r()));
    server.closeAllConnections();
    await settledWithin(closed, 2000);
  });
  // Before taking the hall's broker identity: another server on another database serving this hall
  // refuses this start (SERVER_RUNNING, exit 4), instead of the two knocking each other off for ever.
  // A restart on this database (its instance id in the status) is never refused, nor delayed; the
  // probe connects under an id of its own, never the running server's (src/server/instance-probe.ts).
  const t = topics(config.hall.id);
  const probe = await probeServerInstance({
    url: config.server.mqtt.url,
    clientId: probeClientId(config.server.mqtt.username ?? `hallq-server-${config.hall.id}`),
    logger: logger.child({ component: 'instance-probe' }),
    statusTopic: t.serverStatus,
    heartbeatTopic: t.serverHeartbeat,
    fenceTopic: `${t.root}/server/probe`,
    instance,
    ...(config.server.mqtt.username ? { username: config.server.mqtt.username } : {}),
    ...(password ? { password } : {}),
  });
  scope.check();
  actOnProbe(probe, config.hall.id, config.server.database, logger);
  // The broker after the HTTP port: a server whose port is taken (another server runs here) ends before
  // it connects under the server's client id and knocks the running one off the broker.
  // Not awaited: with the broker away the hall's HTTP side (display, caller, admin, status) serves
  // anyway, and the link comes up by itself (reconnects with backoff, src/bus/reconnect.ts).
  const brokerUp = mqtt.start();
  scope.add('broker link', () => mqtt.stop());
  // The clock moves the day on and makes notices due even when nobody presses anything.
  let ticks = 0;
  const clockBehind = clockBehindWatch(logger);
  const tick = setInterval(() => {
    try {
      mqtt.run({ id: `tick-${config.hall.id}-${clock()}-${ticks++}`, type: 'Tick', source: 'system' });
      clockBehind(engine.state, clock());
      // A disk filling on a quiet hall is logged within a tick, whether or not anyone asks /readyz.
      engine.disk();
    } catch (e) {
      logger.error({ err: String(e) }, 'tick failed');
    }
  }, config.server.tickSeconds * 1000);
  tick.unref();
  scope.add('tick', () => clearInterval(tick));
  // Alive = the event loop runs the timer; a broker outage is not a reason to restart (the hall keeps working).
  const stopWatchdog = notifier.startWatchdog(() => true);
  scope.add('watchdog', stopWatchdog);
  // READY=1 as soon as HTTP serves; the broker's STATUS= follows it (the notifier sends in call order).
  const ready = notifier.ready(`serving ${config.hall.id}, seq ${engine.state.seq}`);
  void brokerUp.then(() => notifier.status(`serving ${config.hall.id}; broker connected`));
  await ready;
  logger.info({ seq: engine.state.seq, http: config.server.http.port, broker: mqtt.metrics.connected ? 'connected' : 'connecting' }, 'hall server ready');
  return {
    engine,
    mqtt,
    http: server,
    reload: (next) => {
      // SMS takes effect at the next restart: until then the hall says what the running outbox does.
      const hall = { ...hallConfigOf(next), smsEnabled: hallConfigOf(config).smsEnabled };
      if (JSON.stringify(engine.state.config) === JSON.stringify(hall)) {
        logger.info({ seq: engine.state.seq }, 'config reloaded: the hall part is unchanged');
      } else {
        const outcome = mqtt.run({ id: `configure-${engine.state.seq + 1}-${clock()}`, type: 'Configure', config: hall, source: 'system' });
        if (!outcome.ok) {
          logger.error({ code: outcome.code }, 'config reload refused; the previous config stays');
          return false;
        }
        logger.info({ seq: engine.state.seq }, 'config reloaded: HallConfigured recorded');
        warnUncallable(engine.state, logger);
      }
      const restartOnly = (['mqtt', 'http', 'database', 'sms', 'tickSeconds', 'logLevel'] as const).filter((k) => JSON.stringify(next.server[k]) !== JSON.stringify(config.server[k]));
      if (restartOnly.length > 0) logger.warn({ keys: restartOnly.map((k) => `server.${k}`) }, 'these keys changed and take effect at the next restart (systemctl restart hallq-server)');
      return true;
    },
    stop: async () => {
      await notifier.stopping();
      stopWatchdog();
      clearInterval(tick);
      alive.stop();
      island?.stop();
      // Each step bounded (issue 10): a broker that is away or a page that holds its stream cannot hold the stop.
      await mqtt.stop();
      if (platform) await settledWithin(platform.stop(), 2000);
      if (sms) await settledWithin(sms.stop(), 2000);
      const closed = new Promise<void>((r) => server.close(() => r()));
      // Live pages hold their event streams open: end them so the close completes.
      server.closeAllConnections();
      await settledWithin(closed, 2000);
      engine.close();
      lock.release();
      logger.info({}, 'hall server stopped');
    },
  };
}
