import type { MqttClient } from 'mqtt';
import type { Logger } from '../../drivers/common/logger.js';

/**
 * Reconnecting to the broker with exponential backoff, capped and jittered, instead of mqtt.js's fixed
 * period: a hall whose broker is down for an hour must not log (and knock) twice a second, and a
 * dozen agents must not all knock in the same instant when it returns.
 */
export interface ReconnectPolicy {
  /** First delay, ms (default 500). */
  initialMs: number;
  /** Largest delay, ms (default 30 000). */
  maxMs: number;
}

export const defaultReconnect: Readonly<ReconnectPolicy> = Object.freeze({ initialMs: 500, maxMs: 30_000 });

/**
 * The delay before reconnect attempt `attempt` (0-based), ms: the exponential step
 * min(maxMs, initialMs · 2^attempt), of which half is fixed and half random ("equal jitter"), so it
 * lies in [step/2, step]. `random` returns [0, 1).
 */
export function reconnectDelay(policy: ReconnectPolicy, attempt: number, random: () => number = Math.random): number {
  const step = Math.min(policy.maxMs, policy.initialMs * 2 ** Math.min(Math.max(attempt, 0), 30));
  return Math.round(step / 2 + random() * (step / 2));
}

/**
 * Drives the reconnects of `client`, which must be created with `reconnectPeriod: 0` (mqtt.js's own
 * reconnect off). Each lost or failed connection schedules the next attempt after reconnectDelay and
 * logs it with the attempt number and the backoff; a connection resets the count. Ends with the client.
 */
export function reconnectWithBackoff(client: MqttClient, logger: Logger, policy: ReconnectPolicy = defaultReconnect): void {
  let attempt = 0;
  let timer: NodeJS.Timeout | undefined;
  let ended = false;
  client.on('connect', () => {
    attempt = 0;
  });
  client.on('end', () => {
    ended = true;
    clearTimeout(timer);
  });
  client.on('close', () => {
    if (ended || timer || client.disconnecting) return;
    const backoffMs = reconnectDelay(policy, attempt);
    attempt += 1;
    logger.warn({ attempt, backoffMs }, 'broker unreachable; reconnecting after backoff');
    timer = setTimeout(() => {
      timer = undefined;
      if (!ended && !client.connected) client.reconnect();
    }, backoffMs);
    // Kept referenced: a daemon waiting for its broker at start has nothing else to keep it alive
    // (an unref'd timer let the agent exit with code 13 before it was ever ready); `end` clears it.
  });
}
