import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hallAcl, mosquittoAcl } from '../bus/acl.js';
import { hashPassword, newBrokerPassword, parsePasswordFile } from '../bus/passwd.js';
import { serverUserOf } from '../config/agents.js';
import { loadConfigOrThrow } from '../config/load.js';
import type { HallqConfig } from '../config/schema.js';
import { makeDir } from '../ops/make-dir.js';
import { HallqError } from '../../drivers/common/error.js';
import { fileProblem, systemWords } from '../../drivers/common/system-words.js';
import { exitCodes } from './exit-codes.js';

export interface BrokerFiles {
  acl: string;
  /** The password file's lines after the update. */
  passwd: string;
  /** Users given a new password now, with it (written once to secrets/<user>.password). */
  created: { user: string; password: string }[];
  /** Users of the old file that are no longer in the config (removed). */
  removed: string[];
}

/** The ACL, and the password file with a new random password for each user of the config it lacks. */
export function brokerFiles(config: HallqConfig, oldPasswd = ''): BrokerFiles {
  const serverUser = serverUserOf(config);
  const agents = config.agents.map((a) => a.id);
  const users = [serverUser, ...agents];
  const old = parsePasswordFile(oldPasswd);
  const created: BrokerFiles['created'] = [];
  const lines = users.map((user) => {
    const kept = old.get(user);
    if (kept !== undefined) return `${user}:${kept}`;
    const password = newBrokerPassword();
    created.push({ user, password });
    return `${user}:${hashPassword(password)}`;
  });
  return {
    acl: mosquittoAcl(hallAcl(config.hall.id, serverUser), agents),
    passwd: `${lines.join('\n')}\n`,
    created,
    removed: [...old.keys()].filter((u) => !users.includes(u)),
  };
}

/**
 * `hallq broker --config FILE --out DIR`: the broker's users and rules for the server and every
 * agent of the hall config. Writes DIR/hallq.acl, updates DIR/hallq.passwd (Mosquitto's format,
 * read by the embedded broker too): a user the config lacks is removed, a new one gets a random
 * password, written once to DIR/secrets/<user>.password (mode 0600) for that box's passwordFile.
 * Existing users keep their passwords.
 */
export function brokerCommand(configPath: string, outDir: string, print: (line: string) => void): number {
  const config = loadConfigOrThrow(configPath);
  makeDir(outDir, '--out');
  const passwdPath = join(outDir, 'hallq.passwd');
  const files = brokerFiles(config, existsSync(passwdPath) ? readFileSync(passwdPath, 'utf8') : '');
  try {
    writeFileSync(join(outDir, 'hallq.acl'), files.acl, { mode: 0o644 });
    writeFileSync(passwdPath, files.passwd, { mode: 0o600 });
    chmodSync(passwdPath, 0o600);
    if (files.created.length > 0) {
      const secrets = join(outDir, 'secrets');
      makeDir(secrets, '--out', 0o700);
      for (const { user, password } of files.created) writeFileSync(join(secrets, `${user}.password`), `${password}\n`, { mode: 0o600 });
    }
  } catch (e) {
    const p = fileProblem('write', outDir, e, '--out');
    if (p.errno === undefined) throw e;
    throw new HallqError('FILE_IO', `--out: cannot write in ${outDir}: ${systemWords(p.errno).en}`, { path: outDir, errno: p.errno, messageZh: `--out：无法在 ${outDir} 中写入：${systemWords(p.errno).zh}` }, { cause: e });
  }
  print(`wrote ${join(outDir, 'hallq.acl')} (hall ${config.hall.id}) and ${passwdPath} (${config.agents.length + 1} users)`);
  for (const { user } of files.created) print(`  new user ${user}: password in ${join(outDir, 'secrets', `${user}.password`)}`);
  for (const user of files.removed) print(`  removed user ${user} (not in the config)`);
  print(`install on the broker host:
  sudo install -m 640 -o root -g mosquitto ${passwdPath} /etc/mosquitto/hallq.passwd
  sudo install -m 644 ${join(outDir, 'hallq.acl')} /etc/mosquitto/hallq.acl
  sudo systemctl reload mosquitto
and copy each secrets/<user>.password to that box's mqtt.passwordFile (server.mqtt / agent.mqtt), mode 0600.`);
  return exitCodes.ok;
}
