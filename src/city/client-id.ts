import { createHash } from 'node:crypto';

/**
 * An MQTT client id that only the holder of `password` can know: `<prefix>-<24 hex>` (96 bits of
 * SHA-256 over the prefix and the password).
 *
 * Why: on an MQTT broker a CONNECT with a client id already connected takes that session over and
 * disconnects the first connection (MQTT 3.1.1 §3.1.4), and NATS 2.9 (like Mosquitto) checks the
 * user's password, not which user owns a client id: nats-server has no per-user client-id rule
 * (its permissions are on subjects; `allowed_connection_types` only says MQTT or not), and MQTT
 * sessions are per account, so only an account per identity would part them, which would also part
 * the JetStream streams the city's durable session reads. So every identity's ids are derived from
 * its own password: a hall that logs in with another's id cannot find it, and a fixed, documented id
 * (`hallq-city`, `hallq-bridge-<hall>`) is no longer anybody's. Deterministic, so a restart resumes
 * the same durable session.
 */
export function ownClientId(prefix: string, password: string): string {
  const tag = createHash('sha256').update(`hallq client id\0${prefix}\0${password}`).digest('hex').slice(0, 24);
  return `${prefix}-${tag}`;
}
