import { execFile } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { staffCommand } from '../../src/cli/staff.js';
import { silentLogger } from '../../drivers/common/logger.js';
import { startEmbeddedBroker, type EmbeddedBroker } from '../../src/bus/embedded-broker.js';
import { loadConfigOrThrow } from '../../src/config/load.js';
import { startServerFrom, type RunningServer } from '../../src/server/main.js';
import { freePort } from '../helpers/mosquitto.js';

function hallq(args: string[], opts: { input?: string; env?: Record<string, string> } = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, ['bin/hallq.js', ...args], { encoding: 'utf8', env: { ...process.env, ...opts.env } }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
    child.stdin?.end(opts.input ?? '');
  });
}

/** The demo hall's YAML with its server on this test's broker, port, database (and TLS files when given). */
function writeConfig(dir: string, brokerUrl: string, port: number, tls?: { certFile: string; keyFile: string }): string {
  const file = join(dir, 'hall.yaml');
  const server = `server:\n  mqtt: { url: "${brokerUrl}" }\n  http: { host: 127.0.0.1, port: ${port}${tls ? `, tls: { certFile: "${tls.certFile}", keyFile: "${tls.keyFile}" }` : ''} }\n  database: ${join(dir, 'hall.db')}\n  logLevel: error\n`;
  // Open around the clock, so the test runs at any hour.
  const yaml = readFileSync('config/demo.yaml', 'utf8')
    .replace(/^server:[\s\S]*?(?=^\S)/m, '')
    .replace(/^ {4}(mon|sat|sun): .*$/gm, (_l, d: string) => `    ${d}: ${d === 'mon' ? '&weekday ' : ''}[{ from: "00:00", to: "24:00" }]`)
    .replace(/^ {2}holidays: .*$/m, '  holidays: []')
    .replace(/issuingCutoffMinutes: \d+/, 'issuingCutoffMinutes: 0');
  writeFileSync(file, `${yaml}\n${server}`);
  return file;
}

describe('hallq staff and the technician CLI against a running server', () => {
  let broker: EmbeddedBroker;
  let server: RunningServer | undefined;
  let dir: string;
  let config: string;
  let base: string;
  beforeAll(async () => {
    broker = await startEmbeddedBroker({ port: 0 });
    dir = mkdtempSync(join(tmpdir(), 'hallq-cli-http-'));
    const port = await freePort();
    config = writeConfig(dir, broker.url, port);
    base = `http://127.0.0.1:${port}`;
  });
  afterAll(async () => {
    await server?.stop();
    await broker?.close();
  });

  it('sets a PIN from stdin (hashed in the database, never in the YAML), lists who can sign in, and the CLI works with the token file', async () => {
    // The command as a technician types it (a process, stdin) for s01; in-process for the refusals (each spawn costs seconds).
    expect((await hallq(['staff', 'passwd', 's01', '--config', config], { input: '24680\n' })).code).toBe(0);
    const stdin = (text: string) => Object.assign(Readable.from([text]), { isTTY: false }) as unknown as NodeJS.ReadStream;
    const quiet = { stdin: stdin(''), stdout: new PassThrough() as unknown as NodeJS.WriteStream };
    expect(await staffCommand(['passwd', 'm01'], config, false, { ...quiet, stdin: stdin('97531\n') })).toBe(0);
    expect(await staffCommand(['passwd', 's02'], config, false, { ...quiet, stdin: stdin('12\n') })).toBe(1);
    expect(await staffCommand(['passwd', 'nobody'], config, false, { ...quiet, stdin: stdin('1234\n') })).toBe(1);
    const list = JSON.parse((await hallq(['staff', 'list', '--config', config, '--json'])).stdout) as { id: string; role: string; credential: boolean }[];
    expect(list.find((s) => s.id === 's01')).toMatchObject({ role: 'staff', credential: true });
    expect(list.find((s) => s.id === 'm01')).toMatchObject({ role: 'manager', credential: true });
    expect(list.find((s) => s.id === 's02')).toMatchObject({ credential: false });
    expect(readFileSync(config, 'utf8')).not.toContain('24680');
    expect(readFileSync(join(dir, 'hall.db')).includes(Buffer.from('24680'))).toBe(false);

    server = await startServerFrom(loadConfigOrThrow(config), Date.now, silentLogger);
    // The key files next to the database are the server's alone.
    for (const f of ['hall.db.cli-token', 'hall.db.status-key']) expect(statSync(join(dir, f)).mode & 0o777).toBe(0o600);
    const signIn = await fetch(`${base}/api/auth/sign-in`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ staffId: 's01', secret: '24680', window: 1 }) });
    expect(signIn.status).toBe(200);

    const status = await hallq(['status', '--config', config]);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toMatch(/: ready/);
    expect((await hallq(['issue', 'social', '--config', config])).stdout).toMatch(/^issued A001 \(\d{8}-A001\)/);
    expect((await hallq(['call', '1', '--config', config])).code).toBe(0);
    expect(server.engine.state.windows['1']?.current).toBe(Object.keys(server.engine.state.tickets)[0]);
    // A token that is not this server's: refused, and said so (not asked for).
    const refused = await hallq(['queue', '--server', base], { env: { HALLQ_TOKEN: 'not-the-token' } });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^error: unauthorized: \/api\/queue: the server refused the CLI token sent .*\(服务器不接受所发的命令行令牌.+\)\n$/);
  }, 240_000);
});

describe('HTTPS from certificate files', () => {
  it('serves the API over TLS and marks the session cookie Secure', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hallq-tls-'));
    const certFile = join(dir, 'cert.pem');
    const keyFile = join(dir, 'key.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyFile, '-out', certFile, '-days', '1', '-subj', '/CN=hall.test'], { stdio: 'ignore' });
    const broker = await startEmbeddedBroker({ port: 0 });
    const port = await freePort();
    const config = writeConfig(dir, broker.url, port, { certFile, keyFile });
    const stdin = Object.assign(Readable.from(['97531\n']), { isTTY: false }) as unknown as NodeJS.ReadStream;
    expect(await staffCommand(['passwd', 'm01'], config, false, { stdin, stdout: new PassThrough() as unknown as NodeJS.WriteStream })).toBe(0);
    const server = await startServerFrom(loadConfigOrThrow(config), Date.now, silentLogger);
    try {
      const ca = readFileSync(certFile);
      const post = (path: string, body: string) =>
        new Promise<{ status: number; cookie: string; body: string }>((resolve, reject) => {
          const req = https.request({ host: '127.0.0.1', port, path, method: 'POST', ca, servername: 'hall.test', checkServerIdentity: () => undefined, headers: { 'content-type': 'application/json' } }, (res) => {
            let text = '';
            res.on('data', (c: Buffer) => (text += String(c)));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, cookie: String(res.headers['set-cookie'] ?? ''), body: text }));
          });
          req.on('error', reject);
          req.end(body);
        });
      const r = await post('/api/auth/sign-in', JSON.stringify({ staffId: 'm01', secret: '97531' }));
      expect(r.status, r.body).toBe(200);
      expect(r.cookie).toContain('Secure');
      expect(r.cookie).toContain('HttpOnly');
      // Plain HTTP on the same port is not served.
      await expect(fetch(`http://127.0.0.1:${port}/livez`)).rejects.toThrow();
    } finally {
      await server.stop();
      await broker.close();
    }
  }, 60_000);
});
