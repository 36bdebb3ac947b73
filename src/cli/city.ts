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
 *   serve --config city.yaml --password-file F --token-file F       the city service (both required; the password may be broker.passwordFile)
 *   bridge --config hall.yaml --city HOST:PORT,… --remote-password-file F --local-password-file F
 *                                                                   the hall's Mosquitto bridge (stdout)
 *   nats-config --config city.yaml --node NAME --secrets DIR        one cluster node's nats-server.conf (stdout)
 */
/** A secret file's contents; `what` names the flag or config key it came from (exit 3 when unreadable or empty). */
const secret = (path: string, what: string): string => {
  let text: string;
  try {
    text = readFileSync(path, 'utf8').trim();
  } catch (e) {
    throw new HallqError('CONFIG_INVALID', `${what}: cannot read ${path}: ${(e as Error).message}`);
  }
  if (text === '') throw new HallqError('CONFIG_INVALID', `${what}: ${path} is empty`);
  return text;
};

export function cityBridgeCommand(o: { config: string; city: string; remotePasswordFile: string; localPasswordFile: string }, print: (s: string) => void): number {
  const c = loadConfigOrThrow(o.config);
  if (!c.agents.some((a) => a.id === CITY_AGENT)) {
    throw new HallqError('CONFIG_INVALID', `${o.config}: agents: add an agent with id "${CITY_AGENT}" (no devices): the city's catch-up requests arrive as it (docs/city.md)`);
  }
  const addresses = o.city.split(',').map((a) => a.trim());
  for (const a of addresses) if (!/^[^\s:]+:\d{1,5}$/.test(a)) throw new HallqError('CONFIG_INVALID', `--city: expected HOST:PORT[,HOST:PORT…], found ${a}`);
  print(bridgeConfig({ hall: c.hall.id, addresses, remotePassword: secret(o.remotePasswordFile, '--remote-password-file'), localPassword: secret(o.localPasswordFile, '--local-password-file') }));
  return exitCodes.ok;
}

export function cityNatsConfigCommand(o: { config: string; node: string; secrets: string }, print: (s: string) => void): number {
  const c = loadCityConfig(o.config);
  const nodes = c.cluster?.nodes ?? [];
  const node = nodes.find((n) => n.name === o.node);
  if (!node) throw new HallqError('CONFIG_INVALID', `${o.config}: cluster.nodes: no node named ${o.node}`);
  const pw = (user: string) => secret(join(o.secrets, `${user}.password`), `--secrets: the password of the broker user "${user}" (${user === c.broker.username ? 'the city service' : `hall ${user}`})`);
  // Encryption at rest when the secrets folder has jetstream.key (the same on every node).
  const keyFile = join(o.secrets, 'jetstream.key');
  const jetstreamKey = existsSync(keyFile) ? secret(keyFile, '--secrets: jetstream.key') : undefined;
  print(natsNodeConfig(node, nodes, { city: { user: c.broker.username, password: pw(c.broker.username) }, halls: c.halls.map((h) => ({ hall: h.id, password: pw(h.id) })) }, jetstreamKey ? { jetstreamKey } : {}));
  return exitCodes.ok;
}

export async function cityServeCommand(o: { config: string; passwordFile?: string; tokenFile?: string }): Promise<number> {
  const config = loadCityConfig(o.config);
  // Without its credentials the service would listen and show old tables as live while the cluster
  // refuses it: nothing starts (exit 3) until both are there.
  const passwordFrom = o.passwordFile !== undefined ? ['--password-file', o.passwordFile] : config.broker.passwordFile !== undefined ? [`${o.config}: broker.passwordFile`, config.broker.passwordFile] : undefined;
  if (!passwordFrom) throw new HallqError('CONFIG_INVALID', `city serve: the broker password is missing: give --password-file F (or broker.passwordFile in ${o.config})`);
  if (o.tokenFile === undefined) throw new HallqError('CONFIG_INVALID', 'city serve: the city token is missing: give --token-file F (the bearer token of reports, the feed and city → hall messages)');
  const brokerPassword = secret(passwordFrom[1] as string, passwordFrom[0] as string);
  const token = secret(o.tokenFile, '--token-file');
  const { createLogger } = await import('../log/logger.js');
  const { startCity } = await import('../city/service.js');
  const logger = createLogger().child({ component: 'city' });
  const city = await startCity(config, { logger, brokerPassword, token });
  logger.info({ url: city.baseUrl, halls: config.halls.length }, 'city service running');
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  await city.stop();
  return exitCodes.ok;
}
