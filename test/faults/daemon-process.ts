import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { emulatedPrinter, type EmulatedPrinter } from '../agent/emulated.js';
import { freePort, startMosquitto, type Broker } from '../helpers/mosquitto.js';
import { cliAuth, writeConfig } from '../wire/server-process.js';
import { startReady, type Daemon } from '../helpers/hallq-process.js';

/** A chunk made only of status requests (DLE EOT n, GS r n: three bytes each), no print data. */
function onlyStatusRequests(chunk: Buffer): boolean {
  if (chunk.length === 0 || chunk.length % 3 !== 0) return false;
  for (let i = 0; i < chunk.length; i += 3) if (!((chunk[i] === 0x10 && chunk[i + 1] === 0x04) || (chunk[i] === 0x1d && chunk[i + 1] === 0x72))) return false;
  return true;
}

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
  /**
   * Asks for a ticket and SIGKILLs the `who` process as soon as the ticket's first bytes reach the
   * printer (the emulator's end of the pty receives print data, not a status request); resolves with
   * the kiosk's answer (undefined: none, the agent died).
   */
  issueKillingMidPrint(who: 'server' | 'agent'): Promise<Response | undefined>;
  /**
   * Asks for a ticket while the printer answers no status, and SIGKILLs the agent once the server has
   * issued it: the agent is held in the status check before the print, so no byte of the ticket was
   * sent. The printer answers again afterwards. Resolves with the ticket's id.
   */
  issueKillingBeforeBytes(): Promise<string>;
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
  /** Resolves when the first bytes of a ticket reach the printer (a chunk that is not only DLE EOT / GS r status requests). */
  const printBegins = () =>
    new Promise<void>((resolve) => {
      const off = printer.device.onData((chunk) => {
        if (!onlyStatusRequests(chunk)) {
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
    issueKillingBeforeBytes: async () => {
      const before = new Set(Object.keys((await hall.state()).tickets));
      const printedBefore = printer.emulator.tickets.length;
      printer.emulator.set({ statusReply: 'none' });
      // Each status request the printer leaves unanswered (the agent's check before the print, and its re-asks) is a moment to look.
      const issuedId = new Promise<string>((resolve, reject) => {
        let looking = false;
        const off = printer.emulator.onStatusRequest(() => {
          if (looking) return;
          looking = true;
          hall
            .state()
            .then((st) => {
              const made = Object.entries(st.tickets).find(([id, t]) => !before.has(id) && t.status === 'issued');
              if (made) {
                off();
                resolve(made[0]);
              }
            }, reject)
            .finally(() => (looking = false));
        });
      });
      const asked = issue().catch(() => undefined);
      const id = await issuedId;
      await hall.agent?.kill();
      await asked;
      if (printer.emulator.tickets.length !== printedBefore) throw new Error('a ticket was printed before the kill');
      printer.emulator.set({ statusReply: 'normal' });
      return id;
    },
    close: async () => {
      await hall.close();
      await printer.unplug();
    },
  };
}
