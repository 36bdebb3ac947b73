import { createServer, type Server } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { demoYaml, runHallq, scratch } from '../helpers/cli.js';
import { freePort } from '../helpers/mosquitto.js';

// The demo listens where its config says (tryout: it used 8080, 8081 and 1883 whatever the config said, and
// did not say so), and finds its own config/demo.yaml from any folder.
const s = scratch('demo-ports');
const held: Server[] = [];
afterAll(async () => {
  for (const h of held) await new Promise((r) => h.close(r));
});

/** A port some other program holds on 127.0.0.1 for the whole test. */
async function takenPort(): Promise<number> {
  const h = createServer();
  held.push(h);
  await new Promise<void>((r) => h.listen(0, '127.0.0.1', r));
  return (h.address() as { port: number }).port;
}

describe('hallq demo ports', () => {
  it("takes --config's server.http.port, kiosk port and server.mqtt.url's port, says them, and says one that was taken", async () => {
    const http = await freePort();
    const kiosk = await takenPort();
    const mqtt = await freePort();
    const config = s.write('ports.yaml', `${demoYaml().replace('kiosk: {}', `kiosk: { port: ${kiosk} }`)}\nserver:\n  mqtt: { url: "mqtt://127.0.0.1:${mqtt}" }\n  http: { port: ${http} }\n`);
    const r = await runHallq(['demo', '--config', config, '--seconds', '0'], { cwd: s.dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^ {2}ports {9}http ${http} \\(server\\.http\\.port\\) · kiosk (\\d+) \\(agents\\[0\\]\\.kiosk\\.port ${kiosk} was taken: a free one instead\\) · MQTT ${mqtt} \\(server\\.mqtt\\.url's port\\), on 127\\.0\\.0\\.1$`, 'm'));
    expect(r.stdout).toContain(`hall server   http://127.0.0.1:${http}/api/hall`);
    expect(r.stdout).toContain(`MQTT broker   mqtt://127.0.0.1:${mqtt}`);
    expect(r.stdout).toContain('set those keys in a copy of');
    expect(r.stdout).toContain('hallq demo stopped.');
  }, 120_000);

  it('runs plain `hallq demo` from another folder with the program\'s own config/demo.yaml', async () => {
    const r = await runHallq(['demo', '--seconds', '0'], { cwd: s.dir });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^hallq demo — /);
    expect(r.stdout).toMatch(/^ {2}ports {9}http \d+ \(server\.http\.port/m);
    expect(r.stdout).toContain('hallq demo stopped.');
  }, 120_000);
});
