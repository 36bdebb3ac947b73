import { readFileSync } from 'node:fs';
import net from 'node:net';
import { Aedes, type AuthenticateError } from 'aedes';
import { allowed, type HallAcl } from './acl.js';
import { parsePasswordFile, verifyPassword } from './passwd.js';

export interface EmbeddedBroker {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** The same authentication and rules as the shipped Mosquitto config (config/mosquitto.conf). */
export interface BrokerAuth {
  /** A Mosquitto password file (mosquitto_passwd's `$7$` or `$6$` lines), read once at start. */
  passwordFile: string;
  /** The topic rules (src/bus/acl.ts), the same that `hallq broker` writes for Mosquitto. */
  acl: HallAcl;
}

/** `<user>.probe.<hex>`: the start probe's own id (src/server/instance-probe.ts probeClientId). */
const isProbeIdOf = (user: string, id: string): boolean => id.startsWith(`${user}.probe.`) && /^[0-9a-f]{1,32}$/.test(id.slice(user.length + 7));

const refused = (returnCode: 4 | 5, message: string): AuthenticateError => Object.assign(new Error(message), { returnCode }) as AuthenticateError;

/**
 * The embedded Aedes broker, for a single box that must run alone (the demo, a small hall without
 * Mosquitto). MQTT 3.1.1 only, like the rest of hallq.
 *
 * With `auth`, it behaves like the shipped Mosquitto config: every client logs in with a user of the
 * password file (CONNACK 4 otherwise); its client id becomes its user name (Mosquitto's
 * use_username_as_clientid), so no user can take another's id or knock it off (a start probe's
 * `<user>.probe.<hex>` is kept: it is that user's own and never the server's); a publish the ACL
 * does not grant closes the client's connection (Mosquitto drops it silently; Aedes has no silent
 * drop), and a message is delivered only to users the ACL lets read it. Without `auth` anyone may
 * connect and publish anything: for tests of other parts only.
 */
export async function startEmbeddedBroker(opts: { host?: string; port?: number; auth?: BrokerAuth } = {}): Promise<EmbeddedBroker> {
  const auth = opts.auth;
  const users = auth ? parsePasswordFile(readFileSync(auth.passwordFile, 'utf8')) : undefined;
  /** Each authenticated client's user, whose rules apply (its id is the user's, or the user's probe id). */
  const userOf = new WeakMap<object, string>();
  const userOrId = (client: { id: string }): string => userOf.get(client) ?? client.id;
  const aedes = await Aedes.createBroker(
    auth && users
      ? {
          preConnect: (_client, packet, done) => {
            // use_username_as_clientid: the id is the user's, whatever the client asked for; but for the
            // hall server's start probe, `<user>.probe.<hex>` (src/server/instance-probe.ts), which only
            // that user can take (agent ids have no dot), and which must not be the running server's.
            if (typeof packet.username === 'string' && !isProbeIdOf(packet.username, packet.clientId)) packet.clientId = packet.username;
            done(null, true);
          },
          authenticate: (client, username, password, done) => {
            // Map lookup: a user name like "__proto__" finds nothing.
            const hash = username === undefined ? undefined : users.get(username);
            if (username === undefined || hash === undefined || password === undefined || !verifyPassword(hash, password)) return done(refused(4, 'bad user name or password'), false);
            userOf.set(client, username);
            done(null, true);
          },
          authorizePublish: (client, packet, done) => {
            // client is null only for a stored will published after a restart; those were checked when stored.
            if (client === null || allowed(auth.acl, userOrId(client), packet.topic, 'write')) return done(null);
            done(new Error(`not authorized to publish on ${packet.topic}`));
          },
          // Like Mosquitto 2: the subscription is granted, each message is checked for read.
          authorizeSubscribe: (_client, sub, done) => done(null, sub),
          authorizeForward: (client, packet) => (allowed(auth.acl, userOrId(client), packet.topic, 'read') ? packet : null),
        }
      : {},
  );
  // noDelay: answers are small packets; Nagle would hold one behind the previous for a delayed ACK (40 ms).
  const server = net.createServer({ noDelay: true }, aedes.handle);
  const host = opts.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err) => {
      // The broker's own timers would keep the process alive after a failed listen (port taken).
      aedes.close(() => reject(err));
    });
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as net.AddressInfo).port;
  return {
    url: `mqtt://${host}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        aedes.close(() => server.close(() => resolve()));
        // Connected clients keep the server open; aedes.close ends them.
      }),
  };
}
