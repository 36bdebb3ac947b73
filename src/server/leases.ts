import type { Logger } from '../../drivers/common/logger.js';
import { leasesNeeded, type LeasePolicy } from '../core/index.js';
import type { HallEngine } from './engine.js';
import type { MqttServer } from './mqtt-server.js';

/**
 * Keeps every agent with a kiosk supplied with leased numbers (island mode): after each durable
 * batch of events (and at start), one LeaseNumbers command per block that fell below the low-water
 * mark, run through the MQTT side so the NumbersLeased events reach the agents like any other.
 * Runs after the batch that prompted it has been published (setImmediate), so seqs go out in order.
 */
export function startLeaseKeeper(o: { engine: HallEngine; mqtt: MqttServer; kioskAgents: readonly string[]; policy: LeasePolicy; logger: Logger }): () => void {
  let scheduled: NodeJS.Immediate | undefined;
  let stopped = false;
  const refill = () => {
    scheduled = undefined;
    if (stopped) return;
    // One block at a time: each moves the counter the next one starts from. Bounded by the services × agents.
    for (let i = 0; i < 1000; i++) {
      const need = leasesNeeded(o.engine.state, o.kioskAgents, o.policy)[0];
      if (!need) return;
      const outcome = o.mqtt.run({ id: `lease-${o.engine.state.day}-${need.agentId}-${need.serviceId}-${o.engine.state.seq}`, type: 'LeaseNumbers', ...need, source: 'system' });
      if (!outcome.ok) {
        o.logger.warn({ agent: need.agentId, service: need.serviceId, code: outcome.code }, 'number lease refused');
        return;
      }
      o.logger.info({ agent: need.agentId, service: need.serviceId, count: need.count }, 'numbers leased');
    }
  };
  const schedule = () => {
    scheduled ??= setImmediate(refill);
  };
  const off = o.engine.onAppended((events) => {
    // Only what can change the need: a new day, a config, an issue, a lease.
    if (events.some((e) => e.type === 'TicketIssued' || e.type === 'DayStarted' || e.type === 'HallConfigured' || e.type === 'NumbersLeased')) schedule();
  });
  // The day may not have started yet (no command since the server started): a tick starts it, and its DayStarted asks for the blocks.
  setImmediate(() => {
    if (!stopped) o.mqtt.run({ id: `lease-tick-${o.engine.state.seq}-${Date.now()}`, type: 'Tick', source: 'system' });
  });
  schedule();
  return () => {
    stopped = true;
    off();
    if (scheduled) clearImmediate(scheduled);
  };
}
