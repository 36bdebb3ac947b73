import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { validateConfig } from '../../src/config/load.js';
import { kioskWarnings } from '../../src/config/kiosk-warnings.js';

/**
 * A kiosk's `statusBaseUrl` left out means this box's server on the port the config gives the server
 * (`server.http.port`), not 8080 whatever that is: the QR code and the SMS link of a one-box hall whose
 * server listens on 9000 pointed at a port where nothing answers.
 */
type Doc = Record<string, unknown> & { server: { http: { port?: number } }; agents: { kiosk?: Record<string, unknown> }[] };
const example = () => parse(readFileSync('config/hall.example.yaml', 'utf8')) as Doc;

const kioskUrls = (doc: Doc) => {
  const r = validateConfig(doc);
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.config.agents.map((a) => a.kiosk?.statusBaseUrl);
};

describe("a kiosk's status page address left out", () => {
  it("is this box's server on server.http.port; a written one stays as written", () => {
    const doc = example();
    delete doc.agents[0]!.kiosk!.statusBaseUrl;
    doc.server.http.port = 9000;
    expect(kioskUrls(doc)[0]).toBe('http://127.0.0.1:9000');
    // No port given: the server's default, 8080.
    delete doc.server.http.port;
    expect(kioskUrls(doc)[0]).toBe('http://127.0.0.1:8080');
    // Written (even the loopback one on another port): kept.
    const written = example();
    written.server.http.port = 9000;
    written.agents[0]!.kiosk!.statusBaseUrl = 'http://127.0.0.1:8080';
    expect(kioskUrls(written)[0]).toBe('http://127.0.0.1:8080');
    expect(kioskUrls(example())[0]).toBe('http://hall-server.local:8080');
  });

  it('is warned about at its key, naming the address it means on that port', () => {
    const doc = example();
    delete doc.agents[0]!.kiosk!.statusBaseUrl;
    doc.server.http.port = 9000;
    const w = kioskWarnings(doc).find((x) => x.path === 'agents[0].kiosk.statusBaseUrl');
    expect(w?.en).toContain('agents[0].kiosk.statusBaseUrl: is http://127.0.0.1:9000 (also its default when left out), an address of this machine');
    expect(w?.zh).toContain('是 http://127.0.0.1:9000（未设置时也是它）');
    // The parsed config (what the agent and the server warn from) says the same.
    const r = validateConfig(doc);
    if (!r.ok) throw new Error(JSON.stringify(r.issues));
    expect(kioskWarnings(r.config).find((x) => x.path === 'agents[0].kiosk.statusBaseUrl')?.en).toBe(w?.en);
  });
});
