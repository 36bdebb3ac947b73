import type { MqttClient } from 'mqtt';

/**
 * Turns Nagle's algorithm off on the client's TCP socket, on every connection (a reconnect makes a
 * new socket). Why (issue 12): a request and its answer are small packets; with Nagle on, a packet
 * written while an earlier one is unacknowledged waits for the peer's delayed ACK (40 ms on Linux),
 * so a command answered in 5 ms reached the agent 40–80 ms later. mqtt.js leaves the socket's
 * default (Nagle on); the broker side is `set_tcp_nodelay true` (config/mosquitto.conf) or the
 * embedded broker's `noDelay`.
 */
export function noDelayOn(client: MqttClient): void {
  const set = (): void => {
    const socket = client.stream as Partial<{ setNoDelay(noDelay?: boolean): unknown }> | undefined;
    if (typeof socket?.setNoDelay === 'function') socket.setNoDelay(true);
  };
  set();
  client.on('connect', set);
}
