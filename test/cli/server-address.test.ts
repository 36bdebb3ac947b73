import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../drivers/common/logger.js';
import { startEmbeddedBroker, type EmbeddedBroker } from '../../src/bus/embedded-broker.js';
import { loadConfigOrThrow } from '../../src/config/load.js';
import { startServerFrom, type RunningServer } from '../../src/server/main.js';
import { demoYaml, runHallq, scratch } from '../helpers/cli.js';
import { freePort } from '../helpers/mosquitto.js';

// The technician commands find the server where its config says it listens, from any folder (tryout):
// https with server.http.tls, the configured host, a refused certificate said as such, a bad config said first.
const s = scratch('server-address');
const elsewhere = s.dir;

/** The demo hall with its server section replaced (the hall open around the clock is not needed: no ticket is issued). */
function hallYaml(name: string, http: string, brokerUrl: string): string {
  const yaml = demoYaml().replace(/^server:[\s\S]*?(?=^\S)/m, '');
  return s.write(name, `${yaml}\nserver:\n  mqtt: { url: "${brokerUrl}" }\n  http: ${http}\n  database: ${join(s.dir, `${name}.db`)}\n  logLevel: error\n`);
}

describe('hallq status/queue/issue: the server address from --config', () => {
  const brokers: EmbeddedBroker[] = [];
  const servers: RunningServer[] = [];
  let tlsPort = 0;
  let tlsConfig = '';
  let lanConfig = '';
  let certFile = '';
  beforeAll(async () => {
    // A self-signed certificate for a name the CLI does not dial (hall.test), as a hall makes one.
    certFile = join(s.dir, 'hall.crt');
    const keyFile = join(s.dir, 'hall.key');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyFile, '-out', certFile, '-days', '1', '-subj', '/CN=hall.test', '-addext', 'subjectAltName=DNS:hall.test'], { stdio: 'ignore' });
    // Two halls' servers, each on its own broker (one server per hall on a broker).
    for (let i = 0; i < 2; i++) brokers.push(await startEmbeddedBroker({ port: 0 }));
    tlsPort = await freePort();
    tlsConfig = hallYaml('tls.yaml', `{ host: 127.0.0.1, port: ${tlsPort}, tls: { certFile: "${certFile}", keyFile: "${keyFile}" } }`, brokers[0]?.url ?? '');
    // Bound to one address only, not loopback's 127.0.0.1 (a LAN address on a hall box).
    lanConfig = hallYaml('lan.yaml', `{ host: 127.0.0.2, port: ${await freePort()} }`, brokers[1]?.url ?? '');
    for (const c of [tlsConfig, lanConfig]) servers.push(await startServerFrom(loadConfigOrThrow(c), Date.now, silentLogger));
  }, 60_000);
  afterAll(async () => {
    for (const server of servers) await server.stop();
    for (const broker of brokers) await broker.close();
  });

  it('speaks https to a server with server.http.tls, trusting the config\'s own certificate (whatever its name)', async () => {
    const r = await runHallq(['status', '--config', tlsConfig], { cwd: elsewhere });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`server https://127.0.0.1:${tlsPort}: ready`);
  }, 60_000);

  it('says a self-signed certificate is the trouble, and how to trust it, when --server alone names an https server', async () => {
    const r = await runHallq(['status', '--server', `https://127.0.0.1:${tlsPort}`], { cwd: elsewhere });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: CERT_UNTRUSTED: the hall server at https:\/\/127\.0\.0\.1:\d+ answered, but its TLS certificate is not trusted: it is self-signed; on the server box, give --config FILE .*NODE_EXTRA_CA_CERTS=FILE.* \(大厅服务器 .+ 有应答，但其 TLS 证书不受信任：它是自签名证书；.*NODE_EXTRA_CA_CERTS.*\)\n$/);
    expect(r.stderr).not.toContain('NOT_CONNECTED');
  }, 60_000);

  it('says the certificate names another host when it is trusted (NODE_EXTRA_CA_CERTS) but the address is not its name', async () => {
    const r = await runHallq(['queue', '--server', `https://127.0.0.1:${tlsPort}`], { cwd: elsewhere, env: { NODE_EXTRA_CA_CERTS: certFile } });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: CERT_UNTRUSTED: .*: it does not name 127\.0\.0\.1 \(the name in the address\); .*\(.*证书上的名字不是地址中的 127\.0\.0\.1.*\)\n$/);
  }, 60_000);

  it('dials the configured server.http.host, not 127.0.0.1, when the server is bound to one address', async () => {
    const r = await runHallq(['queue', '--config', lanConfig], { cwd: elsewhere });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('social');
  }, 60_000);

  it('says what is wrong with an invalid --config (its key path, exit 3) instead of trying http://127.0.0.1:8080', async () => {
    const bad = s.write('bad.yaml', `${demoYaml().replace(/^server:[\s\S]*?(?=^\S)/m, '')}\nserver:\n  http: { port: eighty }\n`);
    for (const args of [['status'], ['queue'], ['issue', 'social']]) {
      const r = await runHallq([...args, '--config', bad], { cwd: elsewhere });
      expect(r.code, `${args[0] ?? ''}: ${r.stderr}`).toBe(3);
      expect(r.stderr).toMatch(/^error: CONFIG_INVALID: .*bad\.yaml: server\.http\.port: found "eighty"/);
      expect(r.stderr).not.toContain('NOT_CONNECTED');
    }
  }, 120_000);
});
