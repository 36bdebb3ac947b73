import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { Logger } from '../../drivers/common/logger.js';
import type { CityConfig } from './config.js';
import { ownClientId } from './client-id.js';
import { cityHttp } from './http.js';
import { CityIngest } from './ingest.js';
import { CityStore } from './store.js';

export interface CityService {
  store: CityStore;
  ingest: CityIngest;
  http: FastifyInstance;
  baseUrl: string;
  stop(): Promise<void>;
}

/** `hallq city serve`: the tables (migrated), the consumer of every hall's stream and the HTTP side. */
export async function startCity(config: CityConfig, o: { brokerPassword?: string; token?: string; clock?: () => number; logger: Logger }): Promise<CityService> {
  const clock = o.clock ?? Date.now;
  const store = await CityStore.open(config.postgres.url);
  const ingest = new CityIngest(
    store,
    {
      urls: config.broker.urls,
      username: config.broker.username,
      ...(o.brokerPassword ? { password: o.brokerPassword } : {}),
      clientId: config.broker.clientId ?? (o.brokerPassword ? ownClientId('hallq-city', o.brokerPassword) : 'hallq-city'),
      halls: config.halls.map((h) => h.id),
      catchUpTimeoutMs: config.catchUp.timeoutMs,
      catchUpGraceMs: config.catchUp.graceMs,
      clock,
    },
    o.logger,
  );
  // Listening before the cluster session starts: a port already taken (a second `city serve`) fails
  // here and the process exits, instead of running on and taking the first one's client id in turns.
  const http = await cityHttp({ config, pool: store.pool, clock, inbox: ingest, logger: o.logger, ...(o.token ? { token: o.token } : {}) });
  try {
    await http.listen({ host: config.http.host, port: config.http.port });
  } catch (e) {
    await http.close();
    await store.close();
    throw e;
  }
  await ingest.start();
  const port = (http.server.address() as AddressInfo).port;
  return {
    store,
    ingest,
    http,
    baseUrl: `http://${config.http.host}:${port}`,
    stop: async () => {
      await http.close();
      await ingest.stop();
      await store.close();
    },
  };
}
