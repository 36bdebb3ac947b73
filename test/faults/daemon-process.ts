import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { emulatedPrinter, type EmulatedPrinter } from '../agent/emulated.js';
import { freePort, startMosquitto, type Broker } from '../helpers/mosquitto.js';
import { cliAuth, writeConfig } from '../wire/server-process.js';
import { startReady, type Daemon } from '../helpers/hallq-process.js';

export { READY, spawnHallq, startDaemon, startReady, within, type Daemon } from '../helpers/hallq-process.js';

/**
 * The wire hall's config (test/wire/server-process.ts) plus this mini-PC's own section, so the same
 * file runs `hallq agent` as kiosk-1 (its kiosk page on a free port, its RS-485 line absent: offline, not fatal).
 */
export function writeHallConfig(dir: string, brokerUrl: string, httpPort: number, kioskPort: number): string {
  const file = writeConfig(dir, brokerUrl, httpPort);
  const text = readFileSync(file, 'utf8').replace('{ id: kiosk-1, kiosk: {},', `{ id: kiosk-1, kiosk: { port: ${kioskPort} },`);
  writeFileSync(file, `${text}agent: { id: kiosk-1, mqtt: { url: "${brokerUrl}" } }\n`);
  return file;
}

/**
 * The fault tests' hall of real processes: Mosquitto, the wire hall's config in a scratch folder (agent
 * kiosk-1's kiosk page on its own port), `hallq server` and `hallq agent` started, SIGKILLed and
 * started again on the same files, the server's state read over HTTP with the technician's token.
 */
export class ProcessHall {
  server: Daemon | undefined;
  agent: Daemon | undefined;

  private constructor(
    readonly broker: Broker,
    readonly dir: string,
    readonly config: string,
    readonly httpPort: number,
    readonly kioskPort: number,
  ) {}

  /** `edit` changes the written YAML (a printer, a platform link) before anything starts. */
  static async open(prefix: string, edit?: (yaml: string, hall: { dir: string; kioskPort: number }) => string): Promise<ProcessHall> {
    const broker = await startMosquitto();
    const dir = mkdtempSync(join(tmpdir(), `hallq-${prefix}-`));
    const httpPort = await freePort();
    const kioskPort = await freePort();
    const config = writeHallConfig(dir, broker.url, httpPort, kioskPort);
    if (edit) writeFileSync(config, edit(readFileSync(config, 'utf8'), { dir, kioskPort }));
    return new ProcessHall(broker, dir, config, httpPort, kioskPort);
  }

  get base(): string {
    return `http://127.0.0.1:${this.httpPort}`;
  }

  async startServer(): Promise<Daemon> {
    this.server = await startReady('server', this.config);
    return this.server;
  }

  async startAgent(): Promise<Daemon> {
    this.agent = await startReady('agent', this.config);
    return this.agent;
  }

  /** SIGKILLs the server (when it runs) and starts it again on the same database; resolves when it is ready. */
  async restartServer(): Promise<Daemon> {
    await this.server?.kill();
    return this.startServer();
  }

  async restartAgent(): Promise<Daemon> {
    await this.agent?.kill();
    return this.startAgent();
  }

  /** The technician's GET (the CLI token next to the database). */
  async get<T>(path: string): Promise<T> {
    const res = await fetch(`${this.base}${path}`, { headers: cliAuth(this.config) });
    if (!res.ok) throw new Error(`GET ${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  }

  /** A command as the technician's CLI posts it. */
  command(body: Record<string, unknown>): Promise<Response> {
    return fetch(`${this.base}/api/commands`, { method: 'POST', headers: { 'content-type': 'application/json', ...cliAuth(this.config) }, body: JSON.stringify(body) });
  }

  /** The server's whole state (`/api/state`). */
  state(): Promise<{ seq: number; tickets: Record<string, { status: string; number: string }> }> {
    return this.get('/api/state');
  }

  async close(): Promise<void> {
    await this.agent?.kill();
    await this.server?.kill();
    await this.broker.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A ProcessHall whose agent kiosk-1 prints on an emulated ESC/POS printer (pty) and keeps its kiosk journal in a file. */
export interface KioskPrintHall {
  hall: ProcessHall;
  printer: EmulatedPrinter;
  tickets(): Promise<Record<string, { status: string; number: string }>>;
  /** Asks for a ticket and SIGKILLs the `who` process once the printer starts on it; resolves with the kiosk's answer (undefined: none, the agent died). */
  issueKillingMidPrint(who: 'server' | 'agent'): Promise<Response | undefined>;
  close(): Promise<void>;
}

/**
 * The hall of the kiosk-print fault tests: the kiosk answers within 1 s, prints on `printer`, journals
 * in <dir>/kiosk.db; `edit` changes the YAML further (a policy, the tick). The server is started.
 */
export async function openKioskPrintHall(prefix: string, edit: (yaml: string) => string = (y) => y): Promise<KioskPrintHall> {
  const printer = await emulatedPrinter();
  const hall = await ProcessHall.open(prefix, (yaml, { dir, kioskPort }) =>
    edit(
      yaml
        .replace(`kiosk: { port: ${kioskPort} }, devices: {`, `kiosk: { port: ${kioskPort}, answerTimeoutSeconds: 1 }, devices: { printer: { transport: serial, path: "${printer.pty.host}" },`)
        .replace('agent: { id: kiosk-1,', `agent: { id: kiosk-1, kioskJournal: "${join(dir, 'kiosk.db')}",`),
    ),
  );
  await hall.startServer();
  /** Resolves when the agent's printer starts sending a ticket (more than a status request). */
  const printBegins = () =>
    new Promise<void>((resolve) => {
      const off = printer.device.onData((chunk) => {
        if (chunk.length > 3) {
          off();
          resolve();
        }
      });
    });
  const issue = () => fetch(`http://127.0.0.1:${hall.kioskPort}/kiosk/api/issue`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ serviceId: 'A' }) });
  return {
    hall,
    printer,
    tickets: async () => (await hall.state()).tickets,
    issueKillingMidPrint: async (who) => {
      const begun = printBegins();
      const asked = issue().catch(() => undefined);
      await begun;
      await hall[who]?.kill();
      return asked;
    },
    close: async () => {
      await hall.close();
      await printer.unplug();
    },
  };
}
