import { topics } from '../bus/topics.js';

/**
 * The hall's side of the city link: a Mosquitto bridge (mosquitto.conf(5), "Bridges") from the hall's
 * own broker to the city cluster's MQTT listeners. `hallq city bridge` prints it for
 * /etc/mosquitto/conf.d/hallq-city.conf (mode 0600: it holds two passwords).
 *
 * Out (hall → city, QoS 1): the event stream, the retained state and server status, and the answers
 * to the city's catch-up requests, all under `city/<hall>/`. In (city → hall, QoS 1): the city's
 * catch-up requests, as the hall agent `city` (an entry of the hall's `agents`, so the hall server
 * answers it like any agent's `events` request and the hall broker's ACL applies), and appointments
 * and notices under `hallq/v1/<hall>/city/in/`.
 *
 * cleansession false + QoS 1: while the WAN is down the hall broker queues what goes out (up to its
 * max_queued_messages) and the cluster keeps the bridge's session; the city fills any gap beyond
 * that from the hall's log with a catch-up request.
 */

/** The hall agent id the city's requests arrive as (docs/city.md: add it to the hall's `agents`). */
export const CITY_AGENT = 'city';

export interface BridgeOptions {
  hall: string;
  /**
   * The cluster's MQTT listeners, host:port. round_robin true: on a failure the bridge moves on to
   * the next and stays there (every node serves every hall). With round_robin false Mosquitto keeps
   * probing the first address and switches back whenever a TCP connect succeeds there, which, behind
   * a proxy or NAT in front of a dead node, drops the link again and again.
   */
  addresses: string[];
  /** The hall's user on the cluster (its hall id) and its password. */
  remotePassword: string;
  /** The password of the hall broker's user `city`. */
  localPassword: string;
  /** Seconds between keepalives: how soon a dead WAN is noticed (1.5×). */
  keepaliveSeconds?: number;
}

export function bridgeConfig(o: BridgeOptions): string {
  const local = `${topics(o.hall).root}/`;
  const remote = `city/${o.hall}/`;
  return [
    `# hallq city bridge for hall ${o.hall}: written by \`hallq city bridge\` (src/city/bridge.ts).`,
    `# Install as /etc/mosquitto/conf.d/hallq-city.conf, mode 0600 (it holds passwords).`,
    `connection hallq-city-${o.hall}`,
    `address ${o.addresses.join(' ')}`,
    'round_robin true',
    'bridge_protocol_version mqttv311',
    // NATS does not know Mosquitto's private bridge flag, and the hall user may not publish $SYS notifications.
    'try_private false',
    'notifications false',
    'cleansession false',
    `remote_clientid hallq-bridge-${o.hall}`,
    `remote_username ${o.hall}`,
    `remote_password ${o.remotePassword}`,
    `local_clientid ${CITY_AGENT}`,
    `local_username ${CITY_AGENT}`,
    `local_password ${o.localPassword}`,
    `keepalive_interval ${o.keepaliveSeconds ?? 10}`,
    // Back within ~2 s of the WAN returning; a retry while it is down is one TCP connect.
    'restart_timeout 1 2',
    'start_type automatic',
    `topic events out 1 ${local} ${remote}`,
    // The retained views are latest-value (the city reads the tables it builds from events, and a
    // view's seq only as a hint of what to catch up): QoS 0 keeps them out of JetStream's queue.
    `topic state/# out 0 ${local} ${remote}`,
    `topic server/# out 1 ${local} ${remote}`,
    `topic res/${CITY_AGENT} out 1 ${local} ${remote}`,
    `topic req/${CITY_AGENT} in 1 ${local} ${remote}`,
    `topic in/# in 1 ${local}city/ ${remote}`,
    '',
  ].join('\n');
}
