import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe } from 'vitest';
import { hallAcl } from '../../src/bus/acl.js';
import { startEmbeddedBroker } from '../../src/bus/embedded-broker.js';
import { authorizationTests, SERVER_USER } from './authorization.js';
import { wireConfig } from './rig.js';

const HAS_PASSWD = spawnSync('mosquitto_passwd', ['-h']).error === undefined;

/**
 * The embedded Aedes broker with the same rules (src/bus/acl.ts) and a password file made by
 * Debian's mosquitto_passwd, so one file serves both brokers.
 */
describe.skipIf(!HAS_PASSWD)('per-agent authorization over the embedded Aedes broker', () => {
  authorizationTests(
    async (dir, passwords) => {
      const passwd = join(dir, 'passwd');
      [...passwords].forEach(([user, pw], i) => {
        const made = spawnSync('mosquitto_passwd', [...(i === 0 ? ['-c'] : []), '-b', passwd, user, pw], { encoding: 'utf8' });
        if (made.status !== 0) throw new Error(`mosquitto_passwd failed: ${made.stderr}`);
      });
      return startEmbeddedBroker({ port: 0, auth: { passwordFile: passwd, acl: hallAcl(wireConfig.id, SERVER_USER) } });
    },
    { beforeAll, afterAll },
    'by-disconnecting',
  );
});
