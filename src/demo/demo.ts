import { DEFAULT_MAX_MESSAGE_BYTES } from '../bus/paging.js';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import pino from 'pino';
import type { Logger } from '../../drivers/common/logger.js';
import type { AgentLink } from '../agent/link.js';
import { startAgentFrom, type RunningAgent } from '../agent/main.js';
import type { SamCardReader } from '../../drivers/idcard/driver.js';
import { generateDefaultClips } from '../../drivers/voice/clip-generator.js';
import { MANIFEST_FILE } from '../../drivers/voice/clip-manifest.js';
import type { VoiceAnnouncer } from '../../drivers/voice/announcer.js';
import { hallAcl } from '../bus/acl.js';
import { startEmbeddedBroker, type BrokerAuth, type EmbeddedBroker } from '../bus/embedded-broker.js';
import { DEFAULT_SERVER_USER } from '../config/agents.js';
import { defaultStatusBaseUrl } from '../config/status-url.js';
import { demoCredentials } from './credentials.js';
import { loadConfigOrThrow } from '../config/load.js';
import { agentEntrySchema, agentSchema, smsSchema, type DevicesConfig, type HallqConfig } from '../config/schema.js';
import { openPtyPair } from '../../drivers/common/pty-pair.js';
import { SerialTransport } from '../../drivers/common/serial-transport.js';
import { ModemEmulator } from '../../drivers/sms/modem-emulator.js';
import { gradeNames, maskName, maskPhone, own } from '../core/index.js';
import { createLogger } from '../log/logger.js';
import { Random } from '../sim/random.js';
import { startServerFrom } from '../server/main.js';
import { openCredentials } from '../server/auth/credentials.js';
import { randomCitizen } from './citizens.js';
import { startDemoHardware, type DemoHardware } from './hardware.js';
import { TEST_CARDS } from '../../drivers/idcard/test-cards.js';
import { DemoConsole } from './console.js';
import { demoSendsSms } from './sms-choice.js';
import { configuredPorts, portsLine, type DemoPorts } from './ports.js';

export interface DemoOptions {
  config: string;
  /** The ports to listen on (each taken one replaced by a free one); absent, the config's (src/demo/ports.ts). */
  mqttPort?: number;
  httpPort?: number;
  kioskPort?: number;
  /** Citizens and staff acting on their own; off for tests that drive the hall themselves. */
  trickle?: boolean;
  /** Keep the services' own issuing hours (the hall itself is always open in the demo). */
  keepServiceHours?: boolean;
  /** Trickle and service speed-up (1 = a citizen every ~8 s). */
  speed: number;
  /** Stop by itself after this many seconds (tests, kiosks on a loop). */
  seconds?: number;
  seed: number;
  print: (line: string) => void;
  /**
   * Where the JSON log lines go (level info and up): a file, kept after the demo stops. Default
   * hallq-demo-<pid>.log in the temp dir, named in the banner; the console shows the hall, not the plumbing.
   */
  logFile?: string;
  /** Where the keys come from (default stdin); tests hand in their own stream. */
  input?: NodeJS.ReadableStream;
  /** Also draw each printed ticket as a PNG here (as `hallq emulate printer --png`), its path on the console. */
  pngDir?: string;
  /** The hall's clock for the server and the agent (default Date.now): tests start the demo just before the hall's midnight. */
  clock?: () => number;
}

/** The demo's PINs per role, printed at start. */
export const DEMO_PINS = { staff: '1234', manager: '8888', technician: '7777' } as const;

async function brokerOn(port: number, auth: BrokerAuth): Promise<EmbeddedBroker> {
  try {
    return await startEmbeddedBroker({ port, auth });
  } catch {
    return startEmbeddedBroker({ port: 0, auth });
  }
}

const DEMO_AGENT = 'demo-agent';
/** A broker user for watching the demo's topics from a console (reads what agents read). */
const DEMO_WATCH = 'demo-watch';

/** The demo runs whenever it is started: the hall is open around the clock and data lives in a temp dir. */
function demoConfig(c: HallqConfig, dataDir: string, brokerUrl: string, httpPort: number, agent: HallqConfig['agents'][number], keepServiceHours = false, modemPath?: string, serverPasswordFile?: string): HallqConfig {
  const allDay = [{ from: '00:00', to: '24:00' }];
  return {
    ...c,
    hours: { ...c.hours, weekly: { mon: allDay, tue: allDay, wed: allDay, thu: allDay, fri: allDay, sat: allDay, sun: allDay }, holidays: [], issuingCutoffMinutes: 0 },
    services: keepServiceHours ? c.services : c.services.map(({ hours: _hours, ...s }) => s),
    // The demo's one agent, as the server authorizes it and as the agent itself runs it.
    agents: [agent],
    server: {
      ...c.server,
      mqtt: { url: brokerUrl, maxMessageBytes: DEFAULT_MAX_MESSAGE_BYTES, username: DEFAULT_SERVER_USER, ...(serverPasswordFile ? { passwordFile: serverPasswordFile } : {}) },
      // Plain HTTP on 127.0.0.1 whatever the config's server.http.tls: the banner's links and the status links are http (tlsNote says so).
      http: { ...withoutTls(c.server.http), host: '127.0.0.1', port: httpPort },
      database: join(dataDir, 'hall.db'),
      tickSeconds: 10,
      logLevel: 'warn',
      // SMS through the GSM modem driver, to the modem emulator on a pty (the config's texts kept); without
      // a modem path (the config says provider none) the config's own SMS settings: the hall sends none.
      ...(modemPath ? { sms: smsSchema.parse({ ...c.server.sms, provider: 'modem', modem: { path: modemPath, baudRate: 115200 } }) } : {}),
    },
  };
}

/**
 * The default clip set made by espeak-ng once per machine and kept in the temp dir (espeak takes a
 * while for 44 clips): made aside and renamed into place, so two demos starting together never see half a set.
 */
async function demoClips(logger: Logger): Promise<string> {
  const dir = join(tmpdir(), 'hallq-demo-clips-v1');
  if (existsSync(join(dir, MANIFEST_FILE))) return dir;
  const aside = mkdtempSync(join(tmpdir(), 'hallq-demo-clips-'));
  await generateDefaultClips(aside, { logger });
  try {
    renameSync(aside, dir);
  } catch {
    // Another demo was faster: use its set.
    rmSync(aside, { recursive: true, force: true });
  }
  return dir;
}

/** `port` if free on 127.0.0.1, else 0 (any free port): the fixed demo ports may be taken. */
/** `port` when it is free, else a free port the system gives (never 0). */
async function portFor(port: number): Promise<number> {
  const p = await freeOr(port);
  if (p !== 0) return p;
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const given = (probe.address() as { port: number }).port;
      probe.close(() => resolve(given));
    });
  });
}

function freeOr(port: number): Promise<number> {
  if (port === 0) return Promise.resolve(0);
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(0));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(port)));
  });
}

/**
 * `hallq demo`: embedded broker, hall server and the real agent (src/agent/main.ts: its DeviceManager,
 * flows and kiosk page) with a config whose device paths are ptys, every device's emulator on the
 * other end; a morning rush of citizens and staff pressing their keypads. Ctrl-C stops everything cleanly.
 */
export interface RunningDemo {
  stopped: Promise<void>;
  stop: () => Promise<void>;
  /** The emulators, and the agent's ID-card reader (its driver, opened by the agent's DeviceManager). */
  hardware: DemoHardware & { cardReader: SamCardReader };
  agent: RunningAgent;
  httpPort: number;
  kioskPort: number;
  link: AgentLink;
  /** The voice queue (undefined when espeak-ng or sox is missing): tests watch what it announces. */
  announcer?: VoiceAnnouncer;
}

function withoutTls<T extends { tls?: unknown }>(http: T): Omit<T, 'tls'> {
  const { tls: _tls, ...rest } = http;
  return rest;
}

/** Said under the banner's `hall server` line when the config has server.http.tls: the demo serves plain HTTP. */
function tlsNote(c: HallqConfig): string {
  if (c.server.http.tls === undefined) return '';
  return "\n                plain HTTP: the config's server.http.tls is not used here (the demo listens on 127.0.0.1 only); a hall's server started with this config serves HTTPS";
}

/**
 * Why the demo's status links are not the config's `statusBaseUrl` when it names another address: that is
 * the hall's own server as phones reach it, while the demo's server is this process on 127.0.0.1 only.
 */
function statusNote(c: HallqConfig, used: string): string {
  const leftOutMeans = defaultStatusBaseUrl(c.server.http.port);
  const i = c.agents.findIndex((a) => a.kiosk !== undefined && a.kiosk.statusBaseUrl !== leftOutMeans && a.kiosk.statusBaseUrl !== used);
  const url = c.agents[i]?.kiosk?.statusBaseUrl;
  if (url === undefined) return '';
  return `\n                not the config's agents[${i}].kiosk.statusBaseUrl ${url}: that is the hall's own server as phones reach it; this demo's server is this process, on 127.0.0.1 only`;
}

export async function runDemo(o: DemoOptions): Promise<RunningDemo> {
  // What has started, undone in reverse when a later part fails to start (its port taken, a device
  // missing): the error ends the command instead of leaving a hall without a kiosk running.
  const undo: (() => Promise<unknown> | void)[] = [];
  try {
    return await startDemo(o, undo);
  } catch (e) {
    for (const step of undo.reverse()) await Promise.resolve(step()).catch(() => undefined);
    throw e;
  }
}

async function startDemo(o: DemoOptions, undo: (() => Promise<unknown> | void)[]): Promise<RunningDemo> {
  const base = loadConfigOrThrow(o.config);
  const fromConfig = configuredPorts(base);
  const asked = (port: number | undefined, c: DemoPorts[keyof DemoPorts]) => (port === undefined ? c : { port });
  const wanted: DemoPorts = { http: asked(o.httpPort, fromConfig.http), kiosk: asked(o.kioskPort, fromConfig.kiosk), mqtt: asked(o.mqttPort, fromConfig.mqtt) };
  const clock = o.clock ?? Date.now;
  const dataDir = mkdtempSync(join(tmpdir(), 'hallq-demo-'));
  undo.push(() => rmSync(dataDir, { recursive: true, force: true }));
  // Logs (JSON lines) go to a file so the console shows the hall, not the plumbing.
  const logFile = o.logFile ?? join(tmpdir(), `hallq-demo-${process.pid}.log`);
  const logger: Logger = createLogger({ level: 'info', destination: pino.destination({ dest: logFile, sync: true, mkdir: true }) });
  // The demo broker authenticates and authorizes like the shipped Mosquitto config, with users made now.
  const creds = demoCredentials(dataDir, [DEFAULT_SERVER_USER, DEMO_AGENT, DEMO_WATCH]);
  const cred = (user: string) => creds.users.get(user) ?? { password: '', file: '' };
  const broker = await brokerOn(wanted.mqtt.port, { passwordFile: creds.passwordFile, acl: hallAcl(base.hall.id, DEFAULT_SERVER_USER) });
  undo.push(() => broker.close());
  const serverPw = cred(DEFAULT_SERVER_USER).file;
  // The emulator's end is opened here; the server's SMS delivery opens the host end itself (by path).
  // None when the config says server.sms.provider: none: the hall sends no SMS, as the server with it does.
  const sms = demoSendsSms(o.config);
  const modemPty = sms ? await openPtyPair({ ownProcessGroup: true }) : undefined;
  undo.push(() => modemPty?.close());
  let modem: ModemEmulator | undefined;
  if (modemPty) {
    const modemDevice = new SerialTransport({ path: modemPty.device, baudRate: 115200 });
    await modemDevice.open();
    modem = new ModemEmulator(modemDevice, { logger: logger.child({ device: 'modem-emulator' }) });
    await modem.start();
    undo.push(() => modem?.close());
  }
  const windows = base.windows.map((w) => w.id);
  const hw = await startDemoHardware(windows, logger);
  undo.push(() => hw.close());
  // Spoken calls: the default clip set made by espeak-ng, each call written to a WAV file (no speaker needed).
  let voice: DevicesConfig['voice'];
  let voiceNote = 'off (espeak-ng or sox missing)';
  try {
    const clips = await demoClips(logger);
    voice = { clips, repeat: 2, output: 'wav', wavDir: join(dataDir, 'calls'), announceMissedWithinSeconds: 30 };
    voiceNote = `each call spoken twice into ${join(dataDir, 'calls')}/*.wav`;
  } catch (e) {
    logger.warn({ err: String(e) }, 'voice disabled in the demo');
  }
  const kioskPort0 = await freeOr(wanted.kiosk.port);
  const agentEntry = (statusBaseUrl: string) =>
    agentEntrySchema.parse({ id: DEMO_AGENT, kiosk: { host: '127.0.0.1', port: kioskPort0, statusBaseUrl }, devices: { ...hw.devices, ...(voice ? { voice } : {}) } });
  // The port is chosen before the server starts: its SMS texts link the status page at this address.
  let port = await portFor(wanted.http.port);
  let server;
  try {
    server = await startServerFrom(demoConfig(base, dataDir, broker.url, port, agentEntry(`http://127.0.0.1:${port}`), o.keepServiceHours, modemPty?.host, serverPw), clock, logger);
  } catch {
    // Taken in between: another free one.
    port = await portFor(0);
    server = await startServerFrom(demoConfig(base, dataDir, broker.url, port, agentEntry(`http://127.0.0.1:${port}`), o.keepServiceHours, modemPty?.host, serverPw), clock, logger);
  }
  const running = server;
  undo.push(() => running.stop());
  const httpPort = (server.http.address() as { port: number }).port;
  const statusBase = `http://127.0.0.1:${httpPort}`;
  const config = demoConfig(base, dataDir, broker.url, httpPort, agentEntry(statusBase), o.keepServiceHours, modemPty?.host, serverPw);
  // Demo sign-ins (never do this in a real hall: `hallq staff passwd` sets each PIN).
  const credentials = openCredentials(config.server.database, logger);
  // scrypt per PIN: side by side on libuv's thread pool.
  await Promise.all(config.staff.map((s) => credentials.set(s.id, DEMO_PINS[s.role], clock())));
  credentials.close();
  const signIns = (['manager', 'staff', 'technician'] as const)
    .map((role) => {
      const ids = config.staff.filter((s) => s.role === role).map((s) => s.id);
      return ids.length === 0 ? '' : `${role} ${ids.length > 2 ? `${ids[0]}…${ids[ids.length - 1]}` : ids.join(', ')} PIN ${DEMO_PINS[role]}`;
    })
    .filter((x) => x !== '')
    .join(' · ');

  // The agent exactly as `hallq agent` runs it, from a config: this box's entry, its broker user, the ID hash key.
  // The key the config names (the platform's, which the server hashes pushed appointments with, or the
  // agent's), so a technician who pushes appointments to the demo can check them in at its kiosk; else a new one.
  const configuredKey = base.platform?.appointments?.idHashKeyFile ?? base.agent?.idHashKeyFile;
  const keyFile = configuredKey ?? join(dataDir, 'id-hash.key');
  if (configuredKey === undefined) writeFileSync(keyFile, randomBytes(32), { mode: 0o600 });
  const agentConfig: HallqConfig = {
    ...config,
    agent: agentSchema.parse({
      id: DEMO_AGENT,
      mqtt: { url: broker.url, username: DEMO_AGENT, passwordFile: cred(DEMO_AGENT).file },
      logLevel: 'warn',
      idHashKeyFile: keyFile,
      // The kiosk's print journal on disk, as a hall's agent keeps it (agent.kioskJournal), in the demo's data folder.
      kioskJournal: join(dataDir, 'kiosk-journal.db'),
    }),
  };
  // Faster polls than a hall needs, so the console answers at once; no systemd notify socket.
  const agent = await startAgentFrom(agentConfig, { logger, env: {}, clock, devices: { printerPollMs: 1000, keypadPollMs: 400, keypadTimeoutMs: 300 } });
  undo.push(() => agent.stop());
  // Every device has said how it is (the printer its paper) before the hall opens, as a technician would check.
  await agent.devices.settled(15_000);
  const link = agent.link;
  const kioskPort = agent.kioskPort ?? kioskPort0;
  const cardReader = agent.devices.idcard as SamCardReader;
  const hardware = Object.assign(hw, { cardReader });
  const rng = new Random(o.seed);
  const serviceName = (id: string) => config.services.find((s) => s.id === id)?.name.zh ?? id;
  const kioskUrl = `http://127.0.0.1:${kioskPort}`;
  const offs: (() => void)[] = [];

  // What the console shows: calls, transfers, ratings, voided numbers, every printed ticket whole, every SMS.
  offs.push(
    link.onEvent((e) => {
      const t = 'ticketId' in e ? own(link.replica.state.tickets, e.ticketId) : undefined;
      if (e.type === 'TicketCalled' && t) o.print(`📢 请 ${t.number} 号 到 ${e.window} 号窗口 办理  (${serviceName(t.serviceId)}${e.reason ? `, ${e.reason}` : ''})`);
      else if (e.type === 'TicketTransferred' && t) o.print(`↪️  ${t.number} 从 ${e.fromWindow} 号窗口转至${serviceName(e.toService)}${e.toWindow ? `（${e.toWindow} 号窗口）` : ''} · transferred from window ${e.fromWindow}${e.toWindow ? ` to window ${e.toWindow}` : ''}`);
      else if (e.type === 'RatingRecorded') o.print(`⭐ ${e.rating.number} 在 ${e.rating.window} 号窗口评价：${gradeNames[e.rating.grade].zh} · rated ${gradeNames[e.rating.grade].en.toLowerCase()} at window ${e.rating.window}`);
      else if (e.type === 'WindowOpened') o.print(`🪟 ${e.window} 号窗口开放（${e.staffId}）· window ${e.window} opened by ${e.staffId}`);
      // A number whose paper never came out (roll ended mid-ticket, printer away): the queue drops it.
      else if (e.type === 'TicketVoided' && t) o.print(`🗑️  ${t.number} voided: ${e.reason} (作废，不进入排队)`);
      else if (e.type === 'WindowClosed') o.print(`🚪 ${e.window} 号窗口关闭 · window ${e.window} closed`);
    }),
  );
  // The day follows the hall's clock: at its midnight the server's DayStarted closes every window and
  // expires what was left. The demo says so, and whoever had a window open logs in again on its keypad
  // (as the demo's staff did at its start), so calls go on; the citizens keep coming.
  const openWindows = new Map<number, string>();
  // The day the hall was in before each DayStarted: a fresh demo's log starts its first day (from no day,
  // or the one the replica already holds) when nothing has turned; only a change of day is said.
  let hallDay = link.replica.state.day;
  offs.push(
    link.onEvent((e) => {
      if (e.type === 'WindowOpened' || e.type === 'WindowTakenOver') openWindows.set(e.window, e.staffId);
      else if (e.type === 'WindowClosed') openWindows.delete(e.window);
      else if (e.type === 'DayStarted') {
        const turned = hallDay !== '' && e.day !== hallDay;
        hallDay = e.day;
        if (!turned) return;
        const again = [...openWindows].sort(([a], [b]) => a - b);
        openWindows.clear();
        o.print(
          `🌅 新的一天 ${e.day}：所有窗口已关闭，${e.expired.length} 张未办结的号作废；${again.length > 0 ? `${again.map(([w]) => w).join('、')} 号窗口的工作人员重新登录` : '没有窗口要重新开放（o <窗口> 登录）'} · ` +
            `a new day (${e.day}): the hall closed every window and expired ${e.expired.length} unfinished tickets; ${again.length > 0 ? `staff log in again at window${again.length > 1 ? 's' : ''} ${again.map(([w]) => w).join(', ')}` : 'no window to reopen (o <window> logs in)'}`,
        );
        again.forEach(([w, staffId], i) => {
          const n = config.staff.findIndex((x) => x.id === staffId) + 1;
          if (n > 0) later(300 * i, () => hw.keypadEmulators.get(w)?.typeLogin(String(n)));
        });
      }
    }),
  );
  const pngDir = o.pngDir;
  if (pngDir !== undefined) {
    mkdirSync(pngDir, { recursive: true });
    // Said at the start: without a CJK font every ticket's PNG lacks its Chinese text (still written: QR, bars, layout).
    const warning = (await import('../../drivers/printer/preview.js')).previewFontWarning();
    if (warning) o.print(`⚠️  ${warning}`);
  }
  let pngCount = 0;
  if (modem) offs.push(modem.onMessage((m) => o.print(`📱 SMS to ${maskPhone(m.phone)}: ${m.text}`)));
  offs.push(
    hw.printerEmulator.onTicket((ticket) => {
      const lines = ticket.blocks.flatMap((b) => (b.type === 'text' ? [b.text] : b.type === 'qr' ? [`[QR ${b.data}]`] : []));
      o.print(`🎫 printed: ${lines.slice(1, 5).join(' | ')}\n${lines.map((l) => `   │ ${l}`).join('\n')}`);
      if (pngDir === undefined) return;
      const file = join(pngDir, `ticket-${String(++pngCount).padStart(4, '0')}-${lines[1] ?? 'ticket'}.png`);
      // Loaded only when asked for: the preview's canvas binary is not needed to run the demo.
      void import('../../drivers/printer/preview.js').then(({ renderTicketPng }) => {
        writeFileSync(file, renderTicketPng(ticket));
        o.print(`   ↳ ${file}`);
      });
    }),
  );

  const timers = new Set<NodeJS.Timeout>();
  const later = (ms: number, fn: () => void) => {
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    timers.add(t);
  };
  let stopping = false;

  // Citizens take their numbers at the kiosk page's API, one at a time as at one kiosk: an ID number
  // from the wedge reader first when they show their card, then the number with an optional phone.
  // `smsOnly`: the citizen asks for an SMS-only ticket (no paper), with a phone from the fake data.
  let kioskQueue: Promise<unknown> = Promise.resolve();
  const serviceKeys = config.services.map((s) => s.id).join(' ');
  const takeTicket = (serviceId: string, why: 'citizen' | 'console', smsOnly = false): Promise<void> => {
    const key = `t ${serviceId}${smsOnly ? ' sms' : ''}`;
    const run = async () => {
      if (stopping) return;
      const c = randomCitizen(() => rng.next());
      const service = config.services.find((s) => s.id === serviceId);
      // The service first: an unknown one is named as such whatever the printer's state.
      if (!service) {
        o.print(`⛔ ${key}: 没有 ${serviceId} 这项业务 · no such service — 业务 services: ${serviceKeys}`);
        return;
      }
      const withId = service.idRequired || rng.chance(0.5);
      // A phone only where the hall sends SMS (its kiosk asks for none otherwise); `t … sms` is refused by the kiosk then.
      const withPhone = smsOnly || (sms && rng.chance(0.6));
      const post = (path: string, body: unknown) => fetch(`${kioskUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal: AbortSignal.timeout(15_000) });
      if (withId) await post('/kiosk/api/wedge', { idNumber: c.idNumber });
      let res = await post('/kiosk/api/issue', { serviceId, ...(withPhone ? { phone: c.phone } : {}), ...(smsOnly ? { smsOnly: true } : {}) });
      let r = (await res.json()) as { number?: string; position?: number; printed?: boolean; statusUrl?: string; error?: { code: string; message: string; messageZh?: string } };
      // Printer out: a citizen with a phone takes the SMS-only ticket the kiosk offers (the console's
      // `t` says why it got none and names the SMS key instead).
      if (why === 'citizen' && r.error?.code === 'printer-unavailable' && withPhone) {
        if (withId) await post('/kiosk/api/wedge', { idNumber: c.idNumber });
        res = await post('/kiosk/api/issue', { serviceId, phone: c.phone, smsOnly: true });
        r = (await res.json()) as typeof r;
      }
      // The `t` key echoes its outcome like every key: the number, or the hall's reason for refusing it.
      const waiting = Math.max(0, (r.position ?? 1) - 1);
      if (why === 'console') {
        if (r.error?.code === 'printer-unavailable') {
          const out = hw.printerEmulator.current.paper === 'out';
          if (sms) o.print(`⛔ ${key}: ${out ? '打印机缺纸' : '打印机无法出票'}，可用 t ${serviceId} sms 取短信票 · the printer ${out ? 'is out of paper' : 'cannot print'}: take an SMS-only ticket with t ${serviceId} sms`);
          else o.print(`⛔ ${key}: ${out ? '打印机缺纸' : '打印机无法出票'}（本大厅不发短信，没有短信票）· the printer ${out ? 'is out of paper' : 'cannot print'} (this hall sends no SMS: no SMS-only ticket)`);
        } else if (r.error) o.print(`⛔ ${key}: ${r.error.messageZh ?? ''} · ${r.error.message}`);
        else {
          const how = r.printed === false ? `短信取号，发往 ${maskPhone(c.phone)} · SMS only, to ${maskPhone(c.phone)}` : '已打印 · printed';
          o.print(`✅ ${key}: ${r.number ?? '?'} (${service.name.zh}), 前面还有 ${waiting} 人 · ${waiting} ahead — ${how}`);
        }
      } else if (r.error) o.print(`🚫 ${service.name.zh}: ${r.error.messageZh ?? ''} · ${r.error.message}`);
      if (r.error) return;
      if (r.printed === false && why === 'citizen') o.print(`📱 短信取号 ${r.number ?? ''} (${service.name.zh})，第 ${r.position ?? '?'} 位 · SMS-only ticket, position ${r.position ?? '?'} — 状态页 status ${r.statusUrl ?? '(none)'}`);
      else if (why === 'console' || r.statusUrl) o.print(`   状态页 status page of ${r.number ?? ''}: ${r.statusUrl ?? '（无）(none)'}`);
    };
    const next = kioskQueue.then(run).catch((e: unknown) => {
      if (why === 'console') o.print(`⛔ ${key}: 取号机没有应答 · the kiosk did not answer (${e instanceof Error ? e.message : String(e)})`);
      else logger.warn({ err: String(e) }, 'demo arrival failed');
    });
    kioskQueue = next;
    return next;
  };

  // Citizens arrive weighted like the demo day's morning: a rush in the first minutes (one every ~1.5 s at
  // speed 1, queues and positions build up, near-turn SMS go out), then the usual ~8 s.
  const weights = config.services.map((s) => {
    const a = config.simulation?.arrivalsPerHour[s.id];
    return Array.isArray(a) ? (a[9] ?? 1) : (a ?? 1);
  });
  const total = weights.reduce((x, y) => x + y, 0);
  const startedAt = Date.now();
  const rushMs = 180_000 / o.speed;
  const arrive = () => {
    if (stopping) return;
    let r = rng.next() * total;
    const s = config.services.find((_, i) => (r -= weights[i] ?? 0) < 0) ?? config.services[0];
    if (s) void takeTicket(s.id, 'citizen');
    const rush = Date.now() - startedAt < rushMs;
    later(rng.exponential((rush ? 1500 : 8000) / o.speed), arrive);
  };

  // Staff: log in on their keypads (half the windows this morning), then call, serve for a while,
  // sometimes ask for a rating or transfer the citizen to another window, call again.
  const serve = (w: number) => {
    if (stopping) return;
    const keypad = hw.keypadEmulators.get(w);
    const v = link.replica.state.windows[String(w)];
    const current = v?.current === undefined ? undefined : own(link.replica.state.tickets, v.current);
    // A console key waiting for its answer at this window has the keypad to itself.
    if (keypad && v?.status === 'open' && !demoConsole.busy(w)) {
      if (current && rng.chance(0.15)) {
        // Transfer: the key, then the target window's number and enter (the caller flow's convention).
        const to = staffed.filter((x) => x !== w)[Math.floor(rng.next() * (staffed.length - 1))];
        if (to !== undefined) {
          keypad.press('transfer');
          later(300, () => keypad.typeLogin(String(to)));
        }
      } else if (current && rng.chance(0.35)) {
        keypad.press('rating-request');
        later(1500 / o.speed, () => keypad.giveGrade(rng.chance(0.85) ? 1 + Math.floor(rng.next() * 2) : 3 + Math.floor(rng.next() * 3)));
        later(2500 / o.speed, () => keypad.press('call'));
      } else keypad.press('call');
    }
    later((15_000 + rng.next() * 30_000) / o.speed, () => serve(w));
  };
  // Every other window has staff, and so does the first window of each service no other one serves (the
  // pick-up window): else that service's tickets would only pile up, told no window is open.
  const staffed = windows.filter((_, i) => i % 2 === 0);
  for (const service of base.services) {
    const serving = base.windows.filter((w) => w.tiers.some((tier) => tier.includes(service.id))).map((w) => w.id);
    const first = serving[0];
    if (first !== undefined && !serving.some((w) => staffed.includes(w))) staffed.push(first);
  }
  if (o.trickle !== false) {
    staffed.forEach((w, i) => {
      later(300 * i, () => hw.keypadEmulators.get(w)?.typeLogin(String(windows.indexOf(w) + 1)));
      later((20_000 + rng.next() * 10_000) / o.speed, () => serve(w));
    });
    later(500, arrive);
  }

  o.print(`hallq demo — ${config.hall.name.zh} (${config.hall.name.en})
  ports         ${portsLine(wanted, { http: httpPort, kiosk: kioskPort, mqtt: broker.port }, o.config)}
  pages         kiosk ${kioskUrl}/kiosk · display ${statusBase}/display · caller ${statusBase}/caller?window=1 · admin ${statusBase}/admin
  sign in       ${statusBase}/sign-in with the demo PINs: ${signIns} (staff also give their window)
  hall server   ${statusBase}/api/hall · /livez /readyz (public) · /api/queue · /api/windows · /metrics (signed in, or the CLI token ${config.server.database}.cli-token)${tlsNote(base)}
  MQTT broker   ${broker.url}, users and passwords in ${join(dataDir, 'broker')}
                (watch: mosquitto_sub -h 127.0.0.1 -p ${broker.port} -u ${DEMO_WATCH} -P "$(cat ${cred(DEMO_WATCH).file})" -t 'hallq/v1/${config.hall.id}/#' -v)
  agent         the real agent (hallq agent) with these device paths: printer ${hw.ptys.printer.host} (ESC/POS, 115200),
                ID-card reader ${hw.ptys.idcard.host} (SAM, 115200), RS-485 ${hw.ptys.rs485.host} (9600): ${windows.length} LED screens + ${windows.length} keypads;
                each device's emulator on the other end of its pty
  sms           ${modemPty ? `GSM modem driver → modem emulator on ${modemPty.host} (the texts citizens would receive are shown below)` : `off: server.sms.provider is none in ${o.config} (the kiosk asks no phone, no SMS-only tickets, no texts)`}
  status links  ${statusBase}/s/… (each ticket's QR code${modemPty ? ' and SMS link' : ''})${statusNote(base, statusBase)}
  data          ${dataDir}
  log           ${logFile} (JSON lines)
  voice         ${voiceNote}
  keys          ${DemoConsole.helpText(sms)}
  services      ${config.services.map((s) => `${s.id} ${s.name.zh}`).join(' · ')}
`);

  // Keys from o.input (tests) or from stdin, a terminal or a pipe alike, with or without --seconds: a pipe's
  // end (EOF) stops only the reading, never the demo (`q` or --seconds or Ctrl-C does); a stdin that cannot be
  // read (closed) gives no keys rather than an error.
  if (!o.input) process.stdin.on('error', () => undefined);
  const rl = createInterface({ input: o.input ?? process.stdin });
  let resolveStopped: () => void = () => {};
  const stopped = new Promise<void>((r) => (resolveStopped = r));
  const stop = async () => {
    if (stopping) return stopped;
    stopping = true;
    for (const t of timers) clearTimeout(t);
    rl.close();
    // A pipe left open (a script's stdin) would keep the process alive after `q`: stop reading it.
    if (!o.input) process.stdin.destroy();
    demoConsole.stop();
    for (const off of offs) off();
    await kioskQueue;
    // The agent closes its devices before their emulators and ptys go.
    await agent.stop();
    await hw.close();
    await server.stop();
    await broker.close();
    await modem?.close();
    await modemPty?.close();
    rmSync(dataDir, { recursive: true, force: true });
    o.print('hallq demo stopped.');
    resolveStopped();
  };
  const demoConsole = new DemoConsole({
    link,
    keypads: hw.keypadEmulators,
    printer: hw.printerEmulator,
    screens: hw.screenEmulators,
    print: o.print,
    refusals: agent.keypadRefusals,
    keypadOnline: (w) => agent.devices.list().some((d) => d.name === `keypad-${w}` && d.state === 'ok'),
    take: (service, smsOnly) => takeTicket(service, 'console', smsOnly),
    card: () => {
      const c = randomCitizen(() => rng.next());
      let placed = false;
      const place = () => {
        if (placed) return;
        placed = true;
        clearTimeout(fallback);
        cardReader.off('removed', place);
        hw.cardEmulator.placeCard({ ...TEST_CARDS.zhang, name: c.name, idNumber: c.idNumber });
        o.print(`🪪 身份证已放上读卡器（${maskName(c.name)}）· ID card on the reader`);
      };
      // A reader reads a card once per placing: the card before is taken off first, as the next citizen
      // would, and the new one laid on once the reader has noticed (or after 3 s if it never read that one).
      const fallback = setTimeout(place, hw.cardEmulator.hasCard ? 3000 : 0);
      if (!hw.cardEmulator.hasCard) return;
      cardReader.once('removed', place);
      hw.cardEmulator.removeCard();
    },
    quit: () => void stop(),
    sms,
  });
  rl.on('line', (line) => demoConsole.line(line));
  offs.push(agent.devices.onChange((list) => demoConsole.devices(list)));
  if (o.seconds !== undefined) later(o.seconds * 1000, () => void stop());
  const announcer = agent.devices.announcer;
  return { stopped, stop, hardware, agent, httpPort, kioskPort, link, ...(announcer ? { announcer } : {}) };
}
