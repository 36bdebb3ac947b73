/**
 * The city broker: a NATS 2.9 cluster (Debian's nats-server) with JetStream and its MQTT listener.
 * This writes one node's configuration file from the city's nodes and users.
 *
 * NATS 2.9's MQTT (docs.nats.io, "MQTT"; nats-server issues #3244, #4243): MQTT 3.1.1 only, QoS 0
 * and 1 (a QoS 2 publish closes the connection), retained messages, sessions and QoS 1 deliveries
 * live in JetStream streams, so every node runs JetStream and has a server_name. An MQTT topic maps
 * to a NATS subject with `/` → `.` (and, from 2.9.10, `.` → `//`; a space is refused), so the
 * permissions below are written on subjects: the MQTT topic `city/hall-a/events` is the subject
 * `city.hall-a.events`.
 */

import bcrypt from 'bcryptjs';

export interface NatsNode {
  /** server_name, unique in the cluster. */
  name: string;
  host: string;
  /** NATS client port (the city tools and monitoring only; halls use MQTT). */
  clientPort: number;
  clusterPort: number;
  mqttPort: number;
  /** JetStream's store (sessions, retained messages, queued QoS 1 messages). */
  storeDir: string;
}

export interface NatsUsers {
  /** The city service's user: reads every hall's topics, sends catch-up requests and notices to any hall. */
  city: { user: string; password: string };
  /** One user per hall, named by its hall id: publishes under city/<hall>/ only. */
  halls: { hall: string; password: string }[];
  /** Other users with their own subjects (e.g. the bench's hall generator, a monitoring reader). */
  others?: { user: string; password: string; publish: string[]; subscribe: string[] }[];
}

/** The subjects hall `hall` may publish to and subscribe to (the cluster refuses the rest). */
export function hallPermissions(hall: string): { publish: string[]; subscribe: string[] } {
  return {
    // Its events, retained state, server status, the answers to the city's requests and its bridge's notification.
    publish: [`city.${hall}.events`, `city.${hall}.state.>`, `city.${hall}.server.>`, `city.${hall}.res.city`, `city.${hall}.bridge`],
    // The city's requests for catch-up, appointments and notices for this hall.
    subscribe: [`city.${hall}.req.city`, `city.${hall}.in`, `city.${hall}.in.>`],
    // (MQTT `in/#` is two NATS subscriptions: `in` itself and `in.>`.)
  };
}

/**
 * NATS delivers an MQTT QoS 1 subscription through a JetStream consumer whose delivery subject is
 * `$MQTT.sub.<id>`: a user with subscribe permissions needs it, or its QoS 1 SUBSCRIBE is refused.
 */
const MQTT_DELIVERY = '$MQTT.sub.>';

const q = (s: string) => JSON.stringify(s);

/** nats-server's own test for a bcrypt hash (server/auth.go): such a password is written as it is. */
const BCRYPT = /^\$2[abxy]\$\d{2}\$/;

/**
 * The password as the config file carries it: a bcrypt hash (cost 11, as `nats server passwd`
 * makes), which nats-server compares a client's password against, so the node's config holds no
 * password in clear; the plain copies stay in the secrets folder the halls and the city read.
 */
export function natsPasswordHash(password: string): string {
  return BCRYPT.test(password) ? password : bcrypt.hashSync(password, 11);
}

/** nats-server.conf for `node` of `nodes` (NATS config syntax; JSON strings are valid in it). */
export function natsNodeConfig(
  node: NatsNode,
  nodes: readonly NatsNode[],
  users: NatsUsers,
  opts: {
    clusterName?: string;
    ackWaitSeconds?: number;
    /**
     * JetStream's encryption at rest (ChaCha20-Poly1305): QoS 1 messages waiting in the cluster
     * include the city's appointments for a hall, with the citizen's ID number.
     */
    jetstreamKey?: string;
  } = {},
): string {
  const routes = nodes.filter((n) => n.name !== node.name).map((n) => q(`nats-route://${n.host}:${n.clusterPort}`));
  const userLines = [
    `    { user: ${q(users.city.user)}, password: ${q(natsPasswordHash(users.city.password))}, permissions: { publish: [${q('city.*.req.city')}, ${q('city.*.in.>')}], subscribe: [${q('city.>')}, ${q(MQTT_DELIVERY)}] } }`,
    ...users.halls.map(({ hall, password }) => {
      const p = hallPermissions(hall);
      return `    { user: ${q(hall)}, password: ${q(natsPasswordHash(password))}, allowed_connection_types: ["MQTT"], permissions: { publish: [${p.publish.map(q).join(', ')}], subscribe: [${[...p.subscribe, MQTT_DELIVERY].map(q).join(', ')}] } }`;
    }),
    ...(users.others ?? []).map((u) => `    { user: ${q(u.user)}, password: ${q(natsPasswordHash(u.password))}, permissions: { publish: [${u.publish.map(q).join(', ')}], subscribe: [${[...u.subscribe, MQTT_DELIVERY].map(q).join(', ')}] } }`),
  ];
  return [
    `# hallq city broker node ${node.name}: written by \`hallq city nats-config\` (src/city/nats-config.ts).`,
    `server_name: ${q(node.name)}`,
    `listen: ${q(`${node.host}:${node.clientPort}`)}`,
    `jetstream {`,
    `  store_dir: ${q(node.storeDir)}`,
    ...(opts.jetstreamKey ? [`  key: ${q(opts.jetstreamKey)}`] : []),
    `}`,
    `cluster {`,
    `  name: ${q(opts.clusterName ?? 'hallq-city')}`,
    `  listen: ${q(`${node.host}:${node.clusterPort}`)}`,
    `  routes: [${routes.join(', ')}]`,
    `}`,
    `mqtt {`,
    `  listen: ${q(`${node.host}:${node.mqttPort}`)}`,
    // A QoS 1 message not acknowledged in this time is sent again (marked DUP).
    `  ack_wait: ${q(`${opts.ackWaitSeconds ?? 10}s`)}`,
    `  max_ack_pending: 1000`,
    // Sessions, retained messages and QoS 1 deliveries on every node: one node may fail.
    `  stream_replicas: ${Math.min(3, nodes.length)}`,
    `  consumer_replicas: ${Math.min(3, nodes.length)}`,
    `}`,
    `authorization {`,
    `  users: [`,
    userLines.join(',\n'),
    `  ]`,
    `}`,
    '',
  ].join('\n');
}
