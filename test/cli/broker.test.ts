import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { describe, expect, it } from 'vitest';
import { startShippedMosquitto } from '../helpers/shipped-mosquitto.js';

function hallq(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['bin/hallq.js', ...args], (err, stdout, stderr) => resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr }));
  });
}

describe('hallq broker', () => {
  it.skipIf(!existsSync('/usr/sbin/mosquitto'))('writes users and an ACL that the shipped Mosquitto config accepts, each password readable only by its owner', async () => {
    const out = mkdtempSync(join(tmpdir(), 'hallq-broker-cli-'));
    const r = await hallq('broker', '--config', 'config/hall.example.yaml', '--out', out);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('new user kiosk-1');
    expect(statSync(join(out, 'hallq.passwd')).mode & 0o777).toBe(0o600);
    expect(statSync(join(out, 'secrets', 'kiosk-1.password')).mode & 0o777).toBe(0o600);
    const password = (user: string) => readFileSync(join(out, 'secrets', `${user}.password`), 'utf8').trim();

    const broker = await startShippedMosquitto(out, { passwd: join(out, 'hallq.passwd'), acl: join(out, 'hallq.acl') });
    try {
      const kiosk = await mqtt.connectAsync(broker.lanUrl, { protocolVersion: 4, reconnectPeriod: 0, username: 'kiosk-1', password: password('kiosk-1') });
      await kiosk.endAsync();
      await expect(mqtt.connectAsync(broker.lanUrl, { protocolVersion: 4, reconnectPeriod: 0, username: 'kiosk-1', password: password('counter-1') })).rejects.toMatchObject({ code: expect.any(Number) as number });
    } finally {
      await broker.stop();
    }
    // Run again: nobody gets a new password.
    const again = await hallq('broker', '--config', 'config/hall.example.yaml', '--out', out);
    expect(again.stdout).not.toContain('new user');
  });

  it('is a usage error without --config and --out', async () => {
    expect((await hallq('broker', '--config', 'config/hall.example.yaml')).code).toBe(2);
  });
});
