import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { HallqError } from '../../drivers/common/error.js';
import { bridgeConfig, CITY_AGENT } from '../city/bridge.js';
import { loadCityConfig } from '../city/config.js';
import { natsNodeConfig } from '../city/nats-config.js';
import { loadConfigOrThrow } from '../config/load.js';
import { exitCodes } from './exit-codes.js';

/**
 * `hallq city …` (docs/city.md):
 *   serve --config city.yaml [--password-file F] [--token-file F]   the city service
 *   bridge --config hall.yaml --city HOST:PORT,… --remote-password-file F --local-password-file F
 *                                                                   the hall's Mosquitto bridge (stdout)
 *   nats-config --config city.yaml --node NAME --secrets DIR        one cluster node's nats-server.conf (stdout)
 */
const secret = (path: string): string => {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch (e) {
    throw new HallqError('CONFIG_NOT_FOUND', `cannot read ${path}: ${(e as Error).message}`);
  }
};

export function cityBridgeCommand(o: { config: string; city: string; remotePasswordFile: string; localPasswordFile: string }, print: (s: string) => void): number {
  const c = loadConfigOrThrow(o.config);
  if (!c.agents.some((a) => a.id === CITY_AGENT)) {
    throw new HallqError('CONFIG_INVALID', `${o.config}: agents: add an agent with id "${CITY_AGENT}" (no devices): the city's catch-up requests arrive as it (docs/city.md)`);
  }
  const addresses = o.city.split(',').map((a) => a.trim());
  for (const a of addresses) if (!/^[^\s:]+:\d{1,5}$/.test(a)) throw new HallqError('CONFIG_INVALID', `--city: expected HOST:PORT[,HOST:PORT…], found ${a}`);
  print(bridgeConfig({ hall: c.hall.id, addresses, remotePassword: secret(o.remotePasswordFile), localPassword: secret(o.localPasswordFile) }));
  return exitCodes.ok;
}

export function cityNatsConfigCommand(o: { config: string; node: string; secrets: string }, print: (s: string) => void): number {
  const c = loadCityConfig(o.config);
  const nodes = c.cluster?.nodes ?? [];
  const node = nodes.find((n) => n.name === o.node);
  if (!node) throw new HallqError('CONFIG_INVALID', `${o.config}: cluster.nodes: no node named ${o.node}`);
  const pw = (user: string) => secret(join(o.secrets, `${user}.password`));
  // Encryption at rest when the secrets folder has jetstream.key (the same on every node).
  const keyFile = join(o.secrets, 'jetstream.key');
  const jetstreamKey = existsSync(keyFile) ? secret(keyFile) : undefined;
  print(natsNodeConfig(node, nodes, { city: { user: c.broker.username, password: pw(c.broker.username) }, halls: c.halls.map((h) => ({ hall: h.id, password: pw(h.id) })) }, jetstreamKey ? { jetstreamKey } : {}));
  return exitCodes.ok;
}

export async function cityServeCommand(o: { config: string; passwordFile?: string; tokenFile?: string }): Promise<number> {
  const config = loadCityConfig(o.config);
  const { createLogger } = await import('../log/logger.js');
  const { startCity } = await import('../city/service.js');
  const logger = createLogger().child({ component: 'city' });
  const city = await startCity(config, { logger, ...(o.passwordFile ? { brokerPassword: secret(o.passwordFile) } : {}), ...(o.tokenFile ? { token: secret(o.tokenFile) } : {}) });
  logger.info({ url: city.baseUrl, halls: config.halls.length }, 'city service running');
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  await city.stop();
  return exitCodes.ok;
}
