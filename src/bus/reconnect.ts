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
 * logs exactly one warning for it: the attempt number, the backoff, and why (the connection was lost,
 * or the socket error of the failed attempt). mqtt.js says 'error' and then 'close' for one failed
 * attempt, so this owns the 'error' listener too: callers add none of their own, and the error goes
 * into the attempt's one line instead of a line of its own. A connection resets the count. Ends with the client.
 */
export function reconnectWithBackoff(client: MqttClient, logger: Logger, policy: ReconnectPolicy = defaultReconnect, context: Readonly<Record<string, unknown>> = {}): void {
  let attempt = 0;
  let timer: NodeJS.Timeout | undefined;
  let ended = false;
  let connected = false;
  let lastError: string | undefined;
  client.on('connect', () => {
    attempt = 0;
    connected = true;
    lastError = undefined;
  });
  client.on('end', () => {
    ended = true;
    clearTimeout(timer);
  });
  // An error without a close after it (none seen so far) is only worth a debug line; with a close it is in the warning.
  client.on('error', (err) => {
    lastError = err.message;
    logger.debug({ ...context, err: err.message }, 'broker connection error');
  });
  client.on('close', () => {
    const wasConnected = connected;
    connected = false;
    const err = lastError;
    lastError = undefined;
    if (ended || timer || client.disconnecting) return;
    const backoffMs = reconnectDelay(policy, attempt);
    attempt += 1;
    const fields = { ...context, attempt, backoffMs, ...(err === undefined ? {} : { err }) };
    logger.warn(fields, wasConnected ? 'broker connection lost; reconnecting after backoff' : 'broker unreachable; reconnecting after backoff');
    timer = setTimeout(() => {
      timer = undefined;
      if (!ended && !client.connected) client.reconnect();
    }, backoffMs);
    // Kept referenced: a daemon waiting for its broker at start has nothing else to keep it alive
    // (an unref'd timer let the agent exit with code 13 before it was ever ready); `end` clears it.
  });
}
