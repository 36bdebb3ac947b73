import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hashPassword, newBrokerPassword } from '../bus/passwd.js';

export interface DemoCredentials {
  /** The broker's password file (Mosquitto's format). */
  passwordFile: string;
  /** Per user: its password and the file holding it (a box's mqtt.passwordFile). */
  users: Map<string, { password: string; file: string }>;
}

/**
 * The demo's own broker users, made fresh on each run in its data dir (mode 0600): the demo
 * broker authenticates like a real one, so the demo needs no setup and no shared password.
 */
export function demoCredentials(dir: string, users: string[]): DemoCredentials {
  const at = join(dir, 'broker');
  mkdirSync(at, { recursive: true, mode: 0o700 });
  const made = new Map(users.map((user) => [user, { password: newBrokerPassword(), file: join(at, `${user}.password`) }] as const));
  for (const { password, file } of made.values()) writeFileSync(file, `${password}\n`, { mode: 0o600 });
  const passwordFile = join(at, 'hallq.passwd');
  writeFileSync(passwordFile, [...made].map(([user, { password }]) => `${user}:${hashPassword(password)}\n`).join(''), { mode: 0o600 });
  return { passwordFile, users: made };
}
