import { readFileSync } from 'node:fs';
import type { Logger } from '../../drivers/common/logger.js';
import { loadConfigOrThrow } from '../config/load.js';
import { createLogger } from '../log/logger.js';
import { createNotifier } from '../ops/sd-notify.js';
import { AgentLink } from './link.js';

export interface RunningAgent {
  link: AgentLink;
  stop(): Promise<void>;
}

/**
 * `hallq agent`: the mini-PC daemon. For now its link and replica; the device manager joins it with
 * the drivers. READY=1 once the broker is connected and the replica has caught up.
 */
export async function runAgent(configPath: string): Promise<RunningAgent> {
  const config = loadConfigOrThrow(configPath);
  const logger: Logger = createLogger({ level: config.agent.logLevel }).child({ component: 'agent', agent: config.agent.id });
  const notifier = createNotifier(process.env, logger.child({ component: 'sd-notify' }));
  const password = config.agent.mqtt.passwordFile ? readFileSync(config.agent.mqtt.passwordFile, 'utf8').trim() : undefined;
  const link = new AgentLink(
    { url: config.agent.mqtt.url, hall: config.hall.id, agentId: config.agent.id, ...(config.agent.mqtt.username ? { username: config.agent.mqtt.username } : {}), ...(password ? { password } : {}) },
    logger.child({ component: 'link' }),
  );
  await link.start();
  await link.catchUp();
  // Alive = the event loop runs the timer; a server or broker outage must not restart the agent (island mode).
  const stopWatchdog = notifier.startWatchdog(() => true);
  await notifier.ready(`agent ${config.agent.id} at seq ${link.replica.seq}`);
  logger.info({ seq: link.replica.seq }, 'agent ready');
  return {
    link,
    stop: async () => {
      await notifier.stopping();
      stopWatchdog();
      await link.stop();
    },
  };
}
