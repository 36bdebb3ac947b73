import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe } from 'vitest';
import { hallAcl, mosquittoAcl } from '../../src/bus/acl.js';
import { hashPassword } from '../../src/bus/passwd.js';
import { startShippedMosquitto } from '../helpers/shipped-mosquitto.js';
import { authorizationTests, SERVER_USER, writePasswd } from './authorization.js';
import { wireConfig } from './rig.js';

/**
 * Real Mosquitto with the shipped config/mosquitto.conf (port and paths adapted), the ACL that
 * `hallq broker` writes, and a password file of hallq's own `$7$` hashes (so Mosquitto accepts them).
 */
describe.skipIf(!existsSync('/usr/sbin/mosquitto'))('per-agent authorization over Mosquitto with the shipped config', () => {
  authorizationTests(
    async (dir, passwords) => {
      const passwd = writePasswd(dir, [...passwords].map(([user, pw]) => `${user}:${hashPassword(pw)}`));
      const acl = join(dir, 'hallq.acl');
      // Every user of the password file but the server is an agent of the hall, as `hallq broker` writes them.
      writeFileSync(acl, mosquittoAcl(hallAcl(wireConfig.id, SERVER_USER), [...passwords.keys()].filter((u) => u !== SERVER_USER)));
      const b = await startShippedMosquitto(dir, { passwd, acl });
      // The server on the shipped localhost listener, the agents (and the impostor) on the LAN one.
      return { url: b.url, agentUrl: b.lanUrl, close: b.stop };
    },
    { beforeAll, afterAll },
    'silently',
  );
});
