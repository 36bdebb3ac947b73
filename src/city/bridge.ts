import { CITY_AGENT, topics } from '../bus/topics.js';
import { ownClientId } from './client-id.js';

/**
 * The hall's side of the city link: a Mosquitto bridge (mosquitto.conf(5), "Bridges") from the hall's
 * own broker to the city cluster's MQTT listeners. `hallq city bridge` prints it for
 * /etc/mosquitto/conf.d/hallq-city.conf (mode 0600: it holds two passwords).
 *
 * Out (hall → city): the event stream (QoS 1), the retained views and server status (QoS 0), and
 * the answers to the city's catch-up requests (QoS 0), all under `city/<hall>/`. In (city → hall):
 * the city's catch-up requests (QoS 0), as the hall agent `city` (an entry of the hall's `agents`, so
 * the hall server answers it like any agent's `events` request and the hall broker's ACL applies),
 * and appointments and notices (QoS 1) under `hallq/v1/<hall>/city/in/`, which only the user `city`
 * may publish on the hall broker (src/bus/acl.ts).
 *
 * cleansession false + QoS 1: while the WAN is down the hall broker queues what goes out (up to its
 * max_queued_messages) and the cluster keeps the bridge's session; the city fills any gap beyond
 * that from the hall's log with a catch-up request.
 */

/** The hall agent id the city's requests arrive as (docs/city.md: add it to the hall's `agents`). */
export { CITY_AGENT };

/**
 * `city/<hall>/bridge`: Mosquitto's bridge notification for the control connection, "1" (retained)
 * when it connects and "0" by its will when it drops. The city asks the hall where it is on "1".
 */
export const BRIDGE_NOTICE = 'bridge';

export interface BridgeOptions {
  hall: string;
  /**
   * The cluster's MQTT listeners, host:port. round_robin true: on a failure the bridge moves on to
   * the next and stays there (every node serves every hall). With round_robin false Mosquitto keeps
   * probing the first address and switches back whenever a TCP connect succeeds there, which, behind
   * a proxy or NAT in front of a dead node, drops the link again and again.
   */
  addresses: string[];
  /**
   * The hall's user on the cluster (its hall id) and its password. The bridge's client ids on the
   * cluster are derived from it (src/city/client-id.ts), so no other login can take them over.
   */
  remotePassword: string;
  /** The password of the hall broker's user `city`. */
  localPassword: string;
  /** Seconds between keepalives: how soon a dead WAN is noticed (1.5×). */
  keepaliveSeconds?: number;
}

export function bridgeConfig(o: BridgeOptions): string {
  const local = `${topics(o.hall).root}/`;
  const remote = `city/${o.hall}/`;
  const connection = (name: string, remoteClient: string, localClient: string, notify: boolean, topicLines: string[]) => [
    `connection ${name}`,
    `address ${o.addresses.join(' ')}`,
    'round_robin true',
    'bridge_protocol_version mqttv311',
    // NATS does not know Mosquitto's private bridge flag; the hall user may not publish $SYS notifications.
    'try_private false',
    ...(notify ? ['notifications true', `notification_topic ${remote}${BRIDGE_NOTICE}`] : ['notifications false']),
    'cleansession false',
    `remote_clientid ${remoteClient}`,
    `remote_username ${o.hall}`,
    `remote_password ${o.remotePassword}`,
    `local_clientid ${localClient}`,
    `local_username ${CITY_AGENT}`,
    `local_password ${o.localPassword}`,
    `keepalive_interval ${o.keepaliveSeconds ?? 10}`,
    // Mosquitto 2.0 retries a failed bridge every restart_timeout + 1 s at best: with "1 1" that is
    // every 2 s. A constant "1" retries only every ~10 s (measured with 2.0.11) and the default
    // backoff (5…30 s) waits up to its cap; a retry while the WAN is down is one TCP connect.
    'restart_timeout 1 1',
    'start_type automatic',
    ...topicLines,
    '',
  ];
  return [
    `# hallq city bridge for hall ${o.hall}: written by \`hallq city bridge\` (src/city/bridge.ts).`,
    `# Install as /etc/mosquitto/conf.d/hallq-city.conf, mode 0600 (it holds passwords).`,
    '#',
    '# Two connections, so that a backlog of events never holds up the rest: NATS stores a QoS 1',
    '# publish in JetStream before it reads the next one from that connection (~100-500 a second per',
    '# connection on a busy 2-core box), so after a long WAN cut the queued events take seconds to',
    '# drain. Meanwhile the control connection carries the city\'s catch-up requests and their answers',
    '# (pages of events), and the city follows the hall through them; it also brings the city\'s',
    '# appointments and notices in.',
    ...connection(`hallq-city-${o.hall}`, ownClientId(`hallq-bridge-${o.hall}`, o.remotePassword), CITY_AGENT, true, [
      // Catch-up requests and their answers at QoS 0: NATS stores a QoS 1 message in JetStream (three
      // replicas) before it delivers it, while QoS 0 goes straight through, so the city follows a hall
      // by pages while the stored stream lags; a lost request or answer is asked again, and none waits
      // in a queue to be answered long after it mattered.
      `topic res/${CITY_AGENT} out 0 ${local} ${remote}`,
      `topic req/${CITY_AGENT} in 0 ${local} ${remote}`,
      // The city's appointments and notices: QoS 1, kept by the cluster while the hall is away.
      `topic in/# in 1 ${local}city/ ${remote}`,
    ]),
    ...connection(`hallq-city-${o.hall}-events`, ownClientId(`hallq-bridge-${o.hall}-events`, o.remotePassword), `${CITY_AGENT}-events`, false, [
      `topic events out 1 ${local} ${remote}`,
      // The retained views and the server status are latest-value (the city reads the tables it builds
      // from events, and a view's seq only as a hint of what to catch up): QoS 0 keeps them out of
      // JetStream. They go with the events: Mosquitto queues them too while the WAN is down, and on
      // the control connection that backlog would hold up the catch-up answers.
      `topic state/# out 0 ${local} ${remote}`,
      `topic server/status out 0 ${local} ${remote}`,
    ]),
  ].join('\n');
}
