import { readFileSync } from 'node:fs';
import type http from 'node:http';
import type { Logger } from '../../drivers/common/logger.js';
import { hallConfigOf, loadConfigOrThrow } from '../config/load.js';
import type { HallqConfig } from '../config/schema.js';
import { createLogger } from '../log/logger.js';
import { createNotifier } from '../ops/sd-notify.js';
import { HallEngine } from './engine.js';
import { requestAuthorizer } from './authorize.js';
import { startHttp } from './http.js';
import { startSms } from './sms/sms-service.js';
import { MqttServer } from './mqtt-server.js';
import { startIslandServer } from './island-server.js';

export interface RunningServer {
  engine: HallEngine;
  mqtt: MqttServer;
  http: http.Server;
  stop(): Promise<void>;
}

/**
 * `hallq server`: the hall's truth. Refuses to start on a bad config; READY=1 only once the log
 * is replayed, the broker is connected and HTTP listens; WATCHDOG=1 while the broker link is up.
 */
export async function runServer(configPath: string, clock: () => number = Date.now): Promise<RunningServer> {
  return startServerFrom(loadConfigOrThrow(configPath), clock);
}

export async function startServerFrom(config: HallqConfig, clock: () => number = Date.now, root: Logger = createLogger({ level: config.server.logLevel })): Promise<RunningServer> {
  const logger: Logger = root.child({ component: 'server', hall: config.hall.id });
  const notifier = createNotifier(process.env, logger.child({ component: 'sd-notify' }));
  const engine = HallEngine.open(config.server.database, hallConfigOf(config), logger.child({ component: 'store' }), clock());
  const password = config.server.mqtt.passwordFile ? readFileSync(config.server.mqtt.passwordFile, 'utf8').trim() : undefined;
  const mqtt = new MqttServer(
    engine,
    {
      url: config.server.mqtt.url,
      hall: config.hall.id,
      clock,
      maxMessageBytes: config.server.mqtt.maxMessageBytes,
      authorize: requestAuthorizer(config.agents),
      ...(config.server.mqtt.username ? { username: config.server.mqtt.username } : {}),
      ...(password ? { password } : {}),
    },
    logger.child({ component: 'mqtt' }),
  );
  // The SMS outbox hooks in before the first command can arrive.
  const sms = startSms({ config: config.server.sms, database: config.server.database, engine, mqtt, clock, logger: logger.child({ component: 'sms' }) });
  // Island mode: number leases for the kiosks, and the return of the agents' outboxes.
  const island = startIslandServer(config, engine, mqtt, clock, logger.child({ component: 'island' }));
  // Requests are authorized by the agent id in their topic, which only the broker's ACL vouches for.
  if (!config.server.mqtt.username) logger.warn({}, 'server.mqtt.username not set: a broker without users lets any client speak as any agent');
  await mqtt.start();
  const notice = `欢迎来到${config.hall.name.zh} · Welcome to ${config.hall.name.en} · 请留意叫号与短信通知，过号请到服务台 · Missed your call? Please ask at the service desk`;
  const h = config.server.http;
  const server = await startHttp(
    engine,
    mqtt,
    { host: h.host, port: h.port, clock, notice, database: config.server.database, trustProxy: h.trustProxy, sessionHours: h.sessionHours, ...(h.tls ? { tls: h.tls } : {}) },
    logger.child({ component: 'http' }),
  );
  // The clock moves the day on and makes notices due even when nobody presses anything.
  let ticks = 0;
  const tick = setInterval(() => {
    try {
      mqtt.run({ id: `tick-${config.hall.id}-${clock()}-${ticks++}`, type: 'Tick', source: 'system' });
    } catch (e) {
      logger.error({ err: String(e) }, 'tick failed');
    }
  }, config.server.tickSeconds * 1000);
  tick.unref();
  // Alive = the event loop runs the timer; a broker outage is not a reason to restart (the hall keeps working).
  const stopWatchdog = notifier.startWatchdog(() => true);
  await notifier.ready(`serving ${config.hall.id}, seq ${engine.state.seq}`);
  logger.info({ seq: engine.state.seq, http: config.server.http.port }, 'hall server ready');
  return {
    engine,
    mqtt,
    http: server,
    stop: async () => {
      await notifier.stopping();
      stopWatchdog();
      clearInterval(tick);
      island?.stop();
      await mqtt.stop();
      await sms?.stop();
      await new Promise<void>((r) => {
        server.close(() => r());
        // Live pages hold their event streams open: end them so the close completes.
        server.closeAllConnections();
      });
      engine.close();
      logger.info({}, 'hall server stopped');
    },
  };
}
