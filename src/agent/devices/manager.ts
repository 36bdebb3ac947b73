import { silentLogger, type Logger } from '../../../drivers/common/logger.js';
import { SerialTransport } from '../../../drivers/common/serial-transport.js';
import { Listeners, type Transport } from '../../../drivers/common/transport.js';
import type { SamCardReader } from '../../../drivers/idcard/driver.js';
import { idcardReaderOf } from '../../../drivers/idcard/readers.js';
import type { Keypad } from '../../../drivers/keypad/driver.js';
import { keypadProtocols } from '../../../drivers/keypad/protocols.js';
import type { Grade, GradeTable } from '../../../drivers/keypad/grades.js';
import { screenProtocols, type ScreenProtocolId } from '../../../drivers/led-screen/protocols.js';
import type { UpkeepOptions } from '../../../drivers/led-screen/bus-screen.js';
import type { ScreenHealth, WindowScreen } from '../../../drivers/led-screen/window-screen.js';
import type { EscPosPrinter, PrinterHealth, PrinterProblem } from '../../../drivers/printer/driver.js';
import { createPrinter, printerTransportOf } from '../../../drivers/printer/transports.js';
import { Rs485Bus } from '../../../drivers/rs485/bus.js';
import { VoiceAnnouncer } from '../../../drivers/voice/announcer.js';
import { loadClipLibrary } from '../../../drivers/voice/clip-library.js';
import { voiceOutputs } from '../../../drivers/voice/outputs.js';
import { espeakToPcm } from '../../../drivers/voice/espeak-tts.js';
import type { DeviceHealth } from '../../bus/messages.js';
import type { DeviceReason } from '../../bus/device-reasons.js';
import type { DevicesConfig } from '../../config/schema.js';
import { defaultBackoff, type Backoff } from './backoff.js';
import { ReopeningTransport, type LinkState } from './reopening-transport.js';
import { STABLE_DIRS, openFailureDetail } from './stable-names.js';
import { voiceStartDetail } from './voice-words.js';

export interface DeviceManagerOptions {
  logger?: Logger;
  /** Reopen delays after an unplug (default 1 s doubling to 30 s). */
  backoff?: Backoff;
  /** Printer status polling (default 5000 ms) and per-byte status timeout (default 1000 ms). */
  printerPollMs?: number;
  printerStatusTimeoutMs?: number;
  /**
   * Keypad polling pause, timeout and pause while offline, for every line: they override each line's
   * `keypadPolling` (whose defaults are 200 / 80 / 5000 ms, drivers/keypad/polling-schemas.ts).
   */
  keypadPollMs?: number;
  keypadTimeoutMs?: number;
  keypadOfflinePollMs?: number;
  /** RS-485 exchange timeout (default 300 ms) and retries (default 2). */
  busTimeoutMs?: number;
  busRetries?: number;
  /** Where stable names are listed when a configured path is missing. */
  stableDirs?: readonly string[];
  /** Screens' writes again after a failure, idle status polls and redraws (defaults in drivers/led-screen/bus-screen.ts; over each screen's redrawSeconds). */
  screenUpkeep?: UpkeepOptions;
}

export interface ManagedScreen {
  name: string;
  window: number;
  line: string;
  protocol: ScreenProtocolId;
  address: number;
  screen: WindowScreen;
}

export interface ManagedKeypad {
  name: string;
  window: number;
  role: 'caller' | 'rating' | 'both';
  keypad: Keypad;
}

type Entry = DeviceHealth & { final: boolean };

/** The words of an `offline` printer by what its driver knows of why. */
const PRINTER_OFFLINE_DETAIL: Partial<Record<PrinterProblem, string>> = {
  'cover-open': 'cover open',
  'printer-offline': 'printer says offline (an error)',
  'cutter-error': 'cutter error: the last ticket was not cut',
  'no-reply': 'no status reply (printer off, or its cable)',
  'link-closed': 'link lost',
};

/** Link states per transport name, so device entries on a down link say offline. */
interface Line {
  name: string;
  path: string;
  link: ReopeningTransport;
}

/**
 * Opens the agent's hardware from its `agents[].devices`: the ticket printer, the ID-card reader, each
 * RS-485 line with its screens and keypads, and the voice. Keeps one health entry per device and
 * emits the whole list on every change. A device that is missing or unplugged is offline, never
 * fatal: its port is reopened with backoff until it comes back, and the drivers stay the same objects.
 */
export class DeviceManager {
  printer: EscPosPrinter | undefined;
  idcard: SamCardReader | undefined;
  announcer: VoiceAnnouncer | undefined;
  /** By window; each reports its write results into its health entry. */
  readonly screens = new Map<number, WindowScreen>();
  /** Every screen, also a second one at a window (for the screen test). */
  readonly screenList: ManagedScreen[] = [];
  readonly keypads: ManagedKeypad[] = [];
  private readonly entries = new Map<string, Entry>();
  private readonly changes = new Listeners<[DeviceHealth[]]>();
  private readonly reopened = new Listeners<[string]>();
  private readonly lines: Line[] = [];
  private readonly buses: Rs485Bus[] = [];
  private readonly offs: (() => void)[] = [];
  private readonly log: Logger;
  private readonly backoff: Backoff;
  private readonly stableDirs: readonly string[];
  private printerLink: 'down' | 'refreshing' | 'up' = 'down';
  private lastPublished = '';
  private stopped = false;

  constructor(
    private readonly config: DevicesConfig,
    private readonly opts: DeviceManagerOptions = {},
  ) {
    this.log = (opts.logger ?? silentLogger).child({ component: 'devices' });
    this.backoff = opts.backoff ?? defaultBackoff;
    this.stableDirs = opts.stableDirs ?? STABLE_DIRS;
  }

  /** Keypads whose displays show the window's queue (callers, and combined caller/evaluators). */
  get displayKeypads(): Map<number, Keypad> {
    const m = new Map<number, Keypad>();
    for (const k of this.keypads) if (k.role !== 'rating' && !m.has(k.window)) m.set(k.window, k.keypad);
    return m;
  }

  list(): DeviceHealth[] {
    return [...this.entries.values()].map(({ final: _final, ...h }) => h);
  }

  /** The whole list, after every change. */
  onChange(fn: (list: DeviceHealth[]) => void): () => void {
    return this.changes.add(fn);
  }

  /**
   * A transport came up after being down, at start or after an unplug (name: 'printer', 'idcard', 'rs485-0', …).
   * An RS-485 line's screens have forgotten what they showed by then: the next show() of each is sent.
   */
  onReopen(fn: (name: string) => void): () => void {
    return this.reopened.add(fn);
  }

  /** Opens every configured device once. Never rejects for device trouble: that is health. */
  async start(): Promise<void> {
    const c = this.config;
    if (c.printer) await this.startPrinter(c.printer);
    if (c.idcard) await this.startIdcard(c.idcard);
    for (const [i, line] of c.rs485.entries()) await this.startLine(i, line);
    if (c.voice) await this.startVoice(c.voice);
    this.publish();
  }

  /**
   * Resolves once every device that can say how it is has said so (or after timeoutMs): for
   * `hallq devices`, which opens the devices only briefly.
   */
  settled(timeoutMs: number): Promise<void> {
    const done = () => [...this.entries.values()].every((e) => e.final || e.state !== 'unknown');
    if (done()) return Promise.resolve();
    return new Promise((resolve) => {
      const finish = () => {
        clearTimeout(timer);
        off();
        resolve();
      };
      const timer = setTimeout(finish, timeoutMs);
      const off = this.onChange(() => {
        if (done()) finish();
      });
    });
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const off of this.offs.splice(0)) off();
    for (const s of this.screenList) s.screen.stop();
    await Promise.all(this.keypads.map((k) => k.keypad.stop()));
    for (const b of this.buses) b.close();
    await Promise.all(this.lines.map((l) => l.link.close()));
    await this.printer?.close();
    await this.idcard?.close();
    await this.announcer?.close();
  }

  // ───────────────────────────────────────────────────────────── devices

  private async startPrinter(p: NonNullable<DevicesConfig['printer']>): Promise<void> {
    // The link for its transport from the printer registry (drivers/printer/transports.ts).
    const t = printerTransportOf(p);
    const link = this.reopening('printer', t.where, t.link);
    const printer = createPrinter(link, p, {
      logger: this.log,
      statusTimeoutMs: this.opts.printerStatusTimeoutMs ?? 1000,
      pollIntervalMs: this.opts.printerPollMs ?? 5000,
    });
    this.printer = printer;
    this.set({ name: 'printer', kind: t.kind, state: 'unknown', detail: t.where, final: false });
    this.offs.push(printer.onHealth((h) => this.printerHealth(h)));
    this.offs.push(
      link.onLink((s) => {
        if (!s.up) {
          this.printerLink = 'down';
          this.set({ name: 'printer', kind: t.kind, state: 'offline', reason: 'link-down', detail: this.downDetail(t.path, s), final: true });
          return;
        }
        this.printerLink = 'refreshing';
        // Health only from a fresh status: the printer said 'offline' when the link went.
        void printer.status().then(() => {
          if (this.printerLink !== 'refreshing') return;
          this.printerLink = 'up';
          this.printerHealth(printer.health);
        });
      }),
    );
    await printer.open();
    printer.startPolling();
  }

  private printerHealth(h: PrinterHealth): void {
    if (this.printerLink !== 'up') return;
    const e = this.entry('printer');
    const readBack = this.printer?.readsBack ?? false;
    const problem = this.printer?.problem;
    // Paper out stays `offline` (it cannot print; /readyz and hallq_device_up read the state); the reason names it.
    const map: Record<PrinterHealth, Pick<DeviceHealth, 'state' | 'detail'>> = {
      ok: { state: 'ok' },
      'near-end': { state: 'degraded', detail: 'paper near end' },
      unconfirmed: { state: 'degraded', detail: 'a ticket was sent but the printer did not confirm it (status replies slow or missing)' },
      out: { state: 'offline', detail: 'paper out' },
      offline: { state: 'offline', detail: !readBack ? 'link lost' : problem ? PRINTER_OFFLINE_DETAIL[problem] ?? 'printer offline' : 'printer offline' },
      unknown: { state: 'unknown', detail: readBack ? 'no status reply yet' : 'write-only link: status is not read back' },
    };
    const m = map[h];
    const reason = problem === 'link-closed' ? 'link-down' : h === 'unknown' ? undefined : problem;
    this.set({ name: e.name, kind: e.kind, state: m.state, ...(reason ? { reason } : {}), ...(m.detail ? { detail: m.detail } : {}), final: !readBack });
  }

  private async startIdcard(c: NonNullable<DevicesConfig['idcard']>): Promise<void> {
    // Each reader's start and health from the ID-card registry (drivers/idcard/readers.ts).
    const r = idcardReaderOf(c);
    this.idcard = await r.start({
      logger: this.log,
      health: (h) => this.set({ name: 'idcard', kind: r.kind, ...h }),
      reopening: (where, make) => this.reopening('idcard', where, make),
      downDetail: (path, s) => this.downDetail(path, s),
      own: (off) => this.offs.push(off),
    });
  }

  private async startLine(i: number, c: DevicesConfig['rs485'][number]): Promise<void> {
    const name = `rs485-${i}`;
    const lineScreens: WindowScreen[] = [];
    // A line back after an outage may have fresh controllers behind it (replaced, powered off and on), blank
    // whatever they showed: every screen of the line forgets what it showed before the displays are drawn
    // again (onReopen), so each is sent its present text, not only those whose text changed meanwhile.
    const link = this.reopening(name, c.path, () => new SerialTransport({ path: c.path, baudRate: c.baudRate }), () => {
      for (const s of lineScreens) s.forget();
    });
    const line: Line = { name, path: c.path, link };
    this.lines.push(line);
    const bus = new Rs485Bus(link, { logger: this.log, defaultTimeoutMs: this.opts.busTimeoutMs ?? 300, defaultRetries: this.opts.busRetries ?? 2, baudRate: c.baudRate, localEcho: c.localEcho });
    this.buses.push(bus);
    this.set({ name, kind: 'rs485', state: 'unknown', detail: `${c.path} @ ${c.baudRate}`, final: false });
    const members: string[] = [];

    for (const s of c.screens) {
      const sname = this.unique(`screen-${s.window}`);
      // Each protocol's driver from the led-screen registry (drivers/led-screen/protocols.ts).
      const protocol = screenProtocols[s.protocol];
      const kind = protocol.kind;
      const screen = protocol.create(bus, s.address, this.log, { redrawMs: s.redrawSeconds * 1000, ...this.opts.screenUpkeep });
      this.set({ name: sname, kind, state: 'unknown', detail: `${name} address ${s.address}, not written yet`, final: true });
      // A screen answers only when written to (or polled): its health is the outcome of its last exchanges.
      this.offs.push(
        screen.onHealth((h) => {
          if (link.isOpen) this.set({ name: sname, kind, ...screenHealthEntry(h), final: true });
        }),
      );
      if (!this.screens.has(s.window)) this.screens.set(s.window, screen);
      lineScreens.push(screen);
      this.screenList.push({ name: sname, window: s.window, line: name, protocol: s.protocol, address: s.address, screen });
      members.push(sname);
    }

    const gradeTable = this.gradeTable();
    const refreshers = new Map<string, () => void>();
    for (const k of c.keypads) {
      const kname = this.unique(`keypad-${k.window}`);
      // Each protocol's driver from the keypad registry (drivers/keypad/protocols.ts).
      const keypad = keypadProtocols[k.protocol].create(bus, k.address, {
        mode: k.mode,
        logger: this.log,
        pollIntervalMs: this.opts.keypadPollMs ?? c.keypadPolling.intervalMs,
        pollTimeoutMs: this.opts.keypadTimeoutMs ?? c.keypadPolling.timeoutMs,
        offlinePollIntervalMs: this.opts.keypadOfflinePollMs ?? c.keypadPolling.offlineIntervalMs,
        pollFrames: c.keypadPolling.frames,
        // A press buffered while nobody listened (the agent down, waiting for the server, the line away) never acts.
        dropBuffered: true,
        ...(gradeTable ? { gradeTable } : {}),
      });
      const push = k.mode === 'push';
      const kind = `keypad-${k.role}`;
      let lastError = '';
      // The keypad's own view (its last poll), shown whenever the line is up.
      const fromKeypad = (): Entry =>
        keypad.status === 'online'
          ? { name: kname, kind, state: 'ok', final: false }
          : keypad.status === 'offline'
            ? { name: kname, kind, state: 'offline', ...reasonOf(lastError), detail: lastError, final: false }
            : { name: kname, kind, state: 'unknown', detail: push ? 'push mode: heard only when a key is pressed' : `${name} address ${k.address}`, final: push };
      this.set(fromKeypad());
      this.offs.push(
        keypad.on((e) => {
          if (e.type !== 'online' && e.type !== 'offline') return;
          if (e.type === 'offline') lastError = e.error.code;
          if (link.isOpen) this.set(fromKeypad());
        }),
      );
      refreshers.set(kname, () => this.set(fromKeypad()));
      this.keypads.push({ name: kname, window: k.window, role: k.role, keypad });
      members.push(kname);
    }

    let wasDown = false;
    this.offs.push(
      link.onLink((s) => {
        if (s.up) {
          this.set({ name, kind: 'rs485', state: 'ok', detail: `${c.path} @ ${c.baudRate}`, final: false });
          // After an outage, members report again from their next exchange.
          if (wasDown) {
            // Screens are known again at their next write; keypads from their polls (a keypad polled
            // successfully across a short outage never changes state, so read it, don't wait for an event).
            for (const m of members) {
              const refresh = refreshers.get(m);
              if (refresh) refresh();
              else this.set({ ...this.entry(m), state: 'unknown', detail: 'line back; not written since', final: true });
            }
            // A keypad whose poll met the closing port may have stopped; start() is a no-op for running ones.
            // The others were taken for offline during the outage and poll only every offlineIntervalMs: poll now.
            // What a keypad buffered while the line was down was pressed while nobody listened: drained as stale.
            for (const k of this.keypads) {
              if (!members.includes(k.name) || this.stopped) continue;
              k.keypad.start();
              k.keypad.lineReopened();
            }
          }
          wasDown = false;
          return;
        }
        wasDown = true;
        const detail = this.downDetail(c.path, s);
        this.set({ name, kind: 'rs485', state: 'offline', detail, final: true });
        for (const m of members) this.set({ ...this.entry(m), state: 'offline', detail: `${name} down`, final: true });
      }),
    );
    await link.open();
    for (const k of this.keypads) if (members.includes(k.name)) k.keypad.start();
  }

  private async startVoice(v: NonNullable<DevicesConfig['voice']>): Promise<void> {
    // The sink and kind of its output from the voice registry (drivers/voice/outputs.ts).
    const output = voiceOutputs[v.output];
    const kind = output.kind;
    try {
      const library = await loadClipLibrary(v.clips, this.log);
      const sink = output.sink({ logger: this.log, ...(v.device ? { device: v.device } : {}), ...(v.wavDir ? { wavDir: v.wavDir } : {}) });
      // Free text (an emergency notice) has no clips: espeak-ng reads it into the library's format.
      const announcer = new VoiceAnnouncer({ library, sink, logger: this.log, repeat: v.repeat, fallback: (text) => espeakToPcm(text, { format: library.format }) });
      this.announcer = announcer;
      this.set({ name: 'voice', kind, state: 'ok', detail: `${library.tokens().length} clips from ${v.clips}`, final: true });
      announcer.on('finished', () => this.set({ ...this.entry('voice'), state: 'ok', final: true }));
      announcer.on('failed', (e) => this.set({ name: 'voice', kind, state: 'degraded', detail: `${e.error.code}: ${e.error.message}`, final: true }));
    } catch (e) {
      this.set({ name: 'voice', kind, state: 'offline', detail: voiceStartDetail(v.clips, e), final: true });
    }
  }

  // ───────────────────────────────────────────────────────────── helpers

  /** `back`: runs when the link is up again after being down, before onReopen's listeners hear it. */
  private reopening(name: string, where: string, make: () => Transport, back?: () => void): ReopeningTransport {
    const link = new ReopeningTransport(make, where, this.backoff, this.log.child({ device: name }));
    let wasDown = false;
    this.offs.push(
      link.onLink((s) => {
        if (!s.up) {
          wasDown = true;
          return;
        }
        if (wasDown) {
          this.log.info({ device: name, link: where }, 'device link back');
          back?.();
          this.reopened.emit(name);
        }
        wasDown = false;
      }),
    );
    return link;
  }

  private downDetail(path: string | undefined, s: Extract<LinkState, { up: false }>): string {
    const why = path === undefined ? s.error.message : openFailureDetail(path, s.error, this.stableDirs);
    return `${why}; retrying in ${Math.round(s.retryInMs / 100) / 10} s`;
  }

  private gradeTable(): GradeTable | undefined {
    const t = this.config.gradeTable;
    if (!t) return undefined;
    const out: Record<number, Grade> = {};
    for (const [raw, g] of Object.entries(t)) out[Number(raw)] = g as Grade;
    return out;
  }

  private unique(base: string): string {
    if (!this.entries.has(base)) return base;
    for (let n = 2; ; n++) if (!this.entries.has(`${base}-${n}`)) return `${base}-${n}`;
  }

  private entry(name: string): Entry {
    return this.entries.get(name) ?? { name, kind: 'unknown', state: 'unknown', final: true };
  }

  private set(e: Entry): void {
    const { detail, ...rest } = e;
    this.entries.set(e.name, { ...rest, ...(detail === undefined ? {} : { detail }) });
    this.publish();
  }

  private publish(): void {
    const list = this.list();
    const json = JSON.stringify(list);
    if (json === this.lastPublished) return;
    this.lastPublished = json;
    this.changes.emit(list);
  }
}

/** A screen's health as the agent lists it; `failing`: the present text is being written again. */
/** Why an RS-485 device stopped answering, from its driver's error code: silence, replies that do not check, its line gone. */
function busReason(code: string): DeviceReason | undefined {
  if (code === 'DEVICE_TIMEOUT') return 'no-reply';
  if (code === 'DEVICE_CHECKSUM' || code === 'DEVICE_NAK') return 'bad-reply';
  if (code === 'TRANSPORT_CLOSED' || code === 'TRANSPORT_OPEN_FAILED') return 'link-down';
  return undefined;
}

const reasonOf = (code: string): { reason?: DeviceReason } => {
  const reason = busReason(code);
  return reason ? { reason } : {};
};

function screenHealthEntry(h: ScreenHealth): Pick<DeviceHealth, 'state' | 'reason' | 'detail'> {
  switch (h.state) {
    case 'unknown':
      return { state: 'unknown', detail: 'not written yet' };
    case 'ok':
      return { state: 'ok' };
    case 'failing':
      return { state: 'degraded', detail: `${h.code}: not confirmed by the screen; writing it again` };
    case 'offline':
      return { state: 'offline', ...reasonOf(h.code), detail: `${h.code}: ${h.failures} writes or polls in a row not confirmed; writing again with backoff` };
  }
}
