import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { HallqError } from '../../drivers/common/error.js';
import { fileProblem } from '../../drivers/common/system-words.js';
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
const secret = (path: string, what: { en: string; zh: string }): string => {
  let text: string;
  try {
    text = readFileSync(path, 'utf8').trim();
  } catch (e) {
    const p = fileProblem('read', path, e, what.en);
    throw new HallqError('CONFIG_INVALID', p.en, { path, errno: p.errno, messageZh: fileProblem('read', path, e, what.zh).zh }, { cause: e });
  }
  if (text === '') throw new HallqError('CONFIG_INVALID', `${what.en}: ${path} is empty`, { path, messageZh: `${what.zh}：${path} 是空文件` });
  return text;
};

export function cityBridgeCommand(o: { config: string; city: string; remotePasswordFile: string; localPasswordFile: string }, print: (s: string) => void): number {
  const c = loadConfigOrThrow(o.config);
  if (!c.agents.some((a) => a.id === CITY_AGENT)) {
    throw new HallqError('CONFIG_INVALID', `${o.config}: agents: add an agent with id "${CITY_AGENT}" (no devices): the city's catch-up requests arrive as it (docs/city.md)`, {
      messageZh: `${o.config}：agents：请添加一个 id 为 "${CITY_AGENT}" 的代理（不带设备）：市级的补发请求以它的身份到达（见 docs/city.md）`,
    });
  }
  const addresses = o.city.split(',').map((a) => a.trim());
  for (const a of addresses) if (!/^[^\s:]+:\d{1,5}$/.test(a)) throw new HallqError('CONFIG_INVALID', `--city: expected HOST:PORT[,HOST:PORT…], found ${a}`, { messageZh: `--city 应为 主机:端口[,主机:端口…]，收到 ${a}` });
  print(bridgeConfig({ hall: c.hall.id, addresses, remotePassword: secret(o.remotePasswordFile, { en: '--remote-password-file', zh: '--remote-password-file' }), localPassword: secret(o.localPasswordFile, { en: '--local-password-file', zh: '--local-password-file' }) }));
  return exitCodes.ok;
}

export function cityNatsConfigCommand(o: { config: string; node: string; secrets: string }, print: (s: string) => void): number {
  const c = loadCityConfig(o.config);
  const nodes = c.cluster?.nodes ?? [];
  const node = nodes.find((n) => n.name === o.node);
  if (!node) throw new HallqError('CONFIG_INVALID', `${o.config}: cluster.nodes: no node named ${o.node}`, { messageZh: `${o.config}：cluster.nodes 中没有名为 ${o.node} 的节点` });
  const pw = (user: string) => secret(join(o.secrets, `${user}.password`), {
      en: `--secrets: the password of the broker user "${user}" (${user === c.broker.username ? 'the city service' : `hall ${user}`})`,
      zh: `--secrets：消息代理用户 "${user}"（${user === c.broker.username ? '市级服务' : `大厅 ${user}`}）的密码`,
    });
  // Encryption at rest when the secrets folder has jetstream.key (the same on every node).
  const keyFile = join(o.secrets, 'jetstream.key');
  const jetstreamKey = existsSync(keyFile) ? secret(keyFile, { en: '--secrets: jetstream.key', zh: '--secrets：jetstream.key' }) : undefined;
  print(natsNodeConfig(node, nodes, { city: { user: c.broker.username, password: pw(c.broker.username) }, halls: c.halls.map((h) => ({ hall: h.id, password: pw(h.id) })) }, jetstreamKey ? { jetstreamKey } : {}));
  return exitCodes.ok;
}

export async function cityServeCommand(o: { config: string; passwordFile?: string; tokenFile?: string }): Promise<number> {
  const config = loadCityConfig(o.config);
  // Without its credentials the service would listen and show old tables as live while the cluster
  // refuses it: nothing starts (exit 3) until both are there.
  const passwordFrom = o.passwordFile !== undefined ? ['--password-file', o.passwordFile] : config.broker.passwordFile !== undefined ? [`${o.config}: broker.passwordFile`, config.broker.passwordFile] : undefined;
  if (!passwordFrom) throw new HallqError('CONFIG_INVALID', `city serve: the broker password is missing: give --password-file F (or broker.passwordFile in ${o.config})`, { messageZh: `缺少消息代理密码：请用 --password-file 指定（或在 ${o.config} 中设置 broker.passwordFile）` });
  if (o.tokenFile === undefined) throw new HallqError('CONFIG_INVALID', 'city serve: the city token is missing: give --token-file F (the bearer token of reports, the feed and city → hall messages)', { messageZh: '缺少市级令牌：请用 --token-file 指定（报表、数据推送和市级到大厅消息所用的令牌）' });
  const brokerPassword = secret(passwordFrom[1] as string, { en: passwordFrom[0] as string, zh: passwordFrom[0] as string });
  const token = secret(o.tokenFile, { en: '--token-file', zh: '--token-file' });
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
