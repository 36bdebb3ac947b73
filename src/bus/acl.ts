import { CITY_AGENT, topics } from './topics.js';

/**
 * The broker's topic rules for one hall, in one place: `hallq broker` writes them as Mosquitto's
 * acl_file, and the embedded broker (embedded-broker.ts) checks every publish and delivery against
 * the same lines, so the two cannot drift. Whatever no line grants is denied.
 *
 * - the server's user: everything of its hall;
 * - every other user is an agent, `%u` its user name = its agent id = (bound by the broker) its
 *   client id: it publishes only its own requests and status, and reads its own answers, the event
 *   stream, the retained state and the server's status (not its heartbeat, which only the server's
 *   user reads: the start probe); for island mode with the broker up, it reads
 *   every agent's status, publishes forwards, answers and island events only under its own id, and
 *   reads the others' forwards and events and the answers addressed to it.
 * - the user `city` (the city bridge's local user, docs/city.md) also publishes the city's
 *   appointments and notices under city/in/, which no other agent may.
 */
export type Access = 'read' | 'write' | 'readwrite';

export interface AclLine {
  access: Access;
  /** An MQTT topic filter; in pattern lines `%u` stands for the user name. */
  topic: string;
}

export interface HallAcl {
  hall: string;
  serverUser: string;
  /** Lines for the server's user only. */
  server: AclLine[];
  /** Lines for every user, `%u` replaced by its name (Mosquitto `pattern` lines). */
  patterns: AclLine[];
  /** Lines for one named user each, on top of the patterns. */
  users: Record<string, AclLine[]>;
}

export function hallAcl(hall: string, serverUser: string): HallAcl {
  const root = topics(hall).root;
  return {
    hall,
    serverUser,
    server: [{ access: 'readwrite', topic: `${root}/#` }],
    patterns: [
      { access: 'write', topic: `${root}/req/%u` },
      { access: 'write', topic: `${root}/agent/%u/#` },
      { access: 'read', topic: `${root}/res/%u` },
      { access: 'read', topic: `${root}/events` },
      { access: 'read', topic: `${root}/state/#` },
      { access: 'read', topic: `${root}/server/status` },
      // Island mode with the broker up (README "Island mode"): every agent's availability (the election),
      // its own forwards, answers and events under its own id; the others' forwards (read by the acting
      // agent), the answers addressed to it, and the acting agent's events.
      { access: 'read', topic: `${root}/agent/+/status` },
      { access: 'write', topic: `${root}/island/fwd/%u` },
      { access: 'read', topic: `${root}/island/fwd/+` },
      { access: 'write', topic: `${root}/island/ans/%u/+` },
      { access: 'read', topic: `${root}/island/ans/+/%u` },
      { access: 'write', topic: `${root}/island/ev/%u` },
      { access: 'read', topic: `${root}/island/ev/+` },
    ],
    users: { [CITY_AGENT]: [{ access: 'write', topic: `${root}/city/in/#` }] },
  };
}

/** MQTT topic filter matching (`+` one level, `#` the rest, including the parent level). */
export function topicMatches(filter: string, topic: string): boolean {
  const f = filter.split('/');
  const t = topic.split('/');
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '#') return i === f.length - 1;
    if (i >= t.length) return false;
    if (f[i] !== '+' && f[i] !== t[i]) return false;
  }
  return f.length === t.length;
}

// Like Mosquitto 2, a user name with MQTT wildcards or a level separator never matches a pattern line.
const patternSafe = (user: string) => !/[+#/]/.test(user) && user.length > 0;

/** Whether `user` may publish to (`write`) or receive from (`read`) a concrete topic. */
export function allowed(acl: HallAcl, user: string | undefined, topic: string, want: 'read' | 'write'): boolean {
  if (user === undefined || topic.startsWith('$')) return false;
  const fits = (l: AclLine, filter: string) => (l.access === 'readwrite' || l.access === want) && topicMatches(filter, topic);
  if (user === acl.serverUser && acl.server.some((l) => fits(l, l.topic))) return true;
  if (Object.hasOwn(acl.users, user) && acl.users[user]?.some((l) => fits(l, l.topic))) return true;
  return patternSafe(user) && acl.patterns.some((l) => fits(l, l.topic.replaceAll('%u', user)));
}

/** Whether a rule holds the user name: a Mosquitto `pattern` line then; otherwise one `topic` line per user. */
const perUser = (l: AclLine): boolean => l.topic.includes('%u');

/**
 * The rules as a Mosquitto acl_file (config/mosquitto.acl.example is this for config/hall.example.yaml).
 * `agents`: every agent user of the hall (hall.yaml agents), the users `hallq broker` writes into the
 * password file beside the server's. The rules that hold `%u` are `pattern` lines; the ones shared by
 * every agent (events, state, the server's status, …) are `topic` lines in each agent's block, since
 * Mosquitto 2 warns at every start for a pattern without %u or %c. Every user that can connect is named
 * (the password file holds the server and the agents only), so each gets exactly what the patterns gave it.
 */
export function mosquittoAcl(acl: HallAcl, agents: readonly string[]): string {
  const patterns = acl.patterns.filter(perUser);
  const shared = acl.patterns.filter((l) => !perUser(l));
  // Every user the rules apply to but the server: the agents, and the named users (the city bridge's), once each.
  const named = [...new Set([...agents, ...Object.keys(acl.users)])].filter((u) => u !== acl.serverUser);
  return [
    `# hallq broker ACL for hall ${acl.hall}: /etc/mosquitto/hallq.acl (acl_file in config/mosquitto.conf).`,
    '# Written by `hallq broker --config hall.yaml` from src/bus/acl.ts; the embedded broker checks the same',
    '# rules. Whatever is not granted is denied: a denied publish is dropped (MQTT 3.1.1 cannot say no),',
    '# so an agent cannot forge another agent\'s requests. "write" = may publish, "read" = may receive.',
    '#',
    '# Every user but the server is an agent: %u is its user name, which is its agent id, and with',
    '# use_username_as_clientid (config/mosquitto.conf, the LAN listener) also its client id, so no user can take another\'s.',
    ...(agents.length > 0 ? [`# Agents of this hall (hall.yaml agents): ${agents.join(', ')}.`] : []),
    '# Its requests to the server, its own status, devices and last will; its answers; island mode with the',
    '# broker up (README "Island mode"): forwards, answers and island events published only under its own id,',
    '# and the answers addressed to it.',
    ...patterns.map((l) => `pattern ${l.access} ${l.topic}`),
    '',
    '# The hall server: every topic of its hall.',
    `user ${acl.serverUser}`,
    ...acl.server.map((l) => `topic ${l.access} ${l.topic}`),
    '',
    // As topic lines, the same in each block: a pattern without %u would draw a warning at every start.
    ...(named.length > 0
      ? [
          "# Each agent, besides the patterns above: the event stream, the retained state, the server's status, every",
          "# agent's status (the election of the acting agent), the others' island forwards (read by the acting agent)",
          '# and the island events.',
        ]
      : []),
    ...named.flatMap((user) => [
      ...(user === CITY_AGENT ? ["# The city bridge's local user: also the city's appointments and notices (docs/city.md)."] : []),
      `user ${user}`,
      ...(acl.users[user] ?? []).map((l) => `topic ${l.access} ${l.topic}`),
      ...shared.map((l) => `topic ${l.access} ${l.topic}`),
      '',
    ]),
  ].join('\n');
}
