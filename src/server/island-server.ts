import type { Logger } from '../../drivers/common/logger.js';
import type { HallqConfig } from '../config/schema.js';
import type { HallEngine } from './engine.js';
import { IslandReturn } from './island-return.js';
import { startLeaseKeeper } from './leases.js';
import type { MqttServer } from './mqtt-server.js';

/** The server's part of island mode when `island` is configured: lease keeping and the outbox return. Undefined when off. */
export function startIslandServer(config: HallqConfig, engine: HallEngine, mqtt: MqttServer, clock: () => number, logger: Logger): { ret: IslandReturn; stop(): void } | undefined {
  const island = config.island;
  if (!island) return undefined;
  const ret = new IslandReturn(engine, mqtt, clock, logger, island.afterSeconds * 1000);
  mqtt.island = ret;
  const kioskAgents = config.agents.filter((a) => a.kiosk !== undefined).map((a) => a.id);
  const stopLeases = startLeaseKeeper({ engine, mqtt, kioskAgents, policy: { size: island.leaseSize, lowWater: island.lowWater }, logger });
  return {
    ret,
    stop: () => {
      stopLeases();
      mqtt.island = undefined;
    },
  };
}
