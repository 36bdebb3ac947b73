import { DEFAULT_MAX_MESSAGE_BYTES } from '../bus/paging.js';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Logger } from '../../drivers/common/logger.js';
import { AgentLink } from '../agent/link.js';
import { attachCaller } from '../agent/flows/caller.js';
import { attachDisplays } from '../agent/flows/display.js';
import { KioskFlow } from '../agent/flows/kiosk.js';
import { attachVoice } from '../agent/flows/voice.js';
import { VoiceAnnouncer } from '../../drivers/voice/announcer.js';
import { generateDefaultClips } from '../../drivers/voice/clip-generator.js';
import { loadClipLibrary } from '../../drivers/voice/clip-library.js';
import { WavFileSink } from '../../drivers/voice/wav-file-sink.js';
import { espeakToPcm } from '../../drivers/voice/espeak-tts.js';
import { personFromCard, wedgeInto } from '../agent/person.js';
import { hallAcl } from '../bus/acl.js';
import { startEmbeddedBroker, type BrokerAuth, type EmbeddedBroker } from '../bus/embedded-broker.js';
import { DEFAULT_SERVER_USER } from '../config/agents.js';
import { demoCredentials } from './credentials.js';
import type { DeviceHealth } from '../bus/messages.js';
import { loadConfigOrThrow } from '../config/load.js';
import { agentEntrySchema, smsSchema, type HallqConfig } from '../config/schema.js';
import { openPtyPair } from '../../drivers/common/pty-pair.js';
import { SerialTransport } from '../../drivers/common/serial-transport.js';
import { ModemEmulator } from '../../drivers/sms/modem-emulator.js';
import { maskName, maskPhone, own, windowView } from '../core/index.js';
import { createLogger } from '../log/logger.js';
import { Random } from '../sim/random.js';
import { startServerFrom } from '../server/main.js';
import { openCredentials } from '../server/auth/credentials.js';
import { randomCitizen } from './citizens.js';
import { startDemoHardware, type DemoHardware } from './hardware.js';
import { CardSlot, startKioskHttp } from '../agent/kiosk-http.js';
import { TEST_CARDS } from '../../drivers/idcard/test-cards.js';

export interface DemoOptions {
  config: string;
  mqttPort: number;
  httpPort: number;
  kioskPort: number;
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
function demoConfig(c: HallqConfig, dataDir: string, brokerUrl: string, httpPort: number, keepServiceHours = false, modemPath?: string, serverPasswordFile?: string): HallqConfig {
  const allDay = [{ from: '00:00', to: '24:00' }];
  return {
    ...c,
    hours: { ...c.hours, weekly: { mon: allDay, tue: allDay, wed: allDay, thu: allDay, fri: allDay, sat: allDay, sun: allDay }, holidays: [], issuingCutoffMinutes: 0 },
    services: keepServiceHours ? c.services : c.services.map(({ hours: _hours, ...s }) => s),
    // The demo's one agent as the server authorizes it: the kiosk and a caller + rating keypad on every window.
    agents: [agentEntrySchema.parse({ id: DEMO_AGENT, kiosk: {}, devices: { rs485: [{ path: 'demo-pty', keypads: c.windows.map((w) => ({ window: w.id, address: w.id })) }] } })],
    server: {
      ...c.server,
      mqtt: { url: brokerUrl, maxMessageBytes: DEFAULT_MAX_MESSAGE_BYTES, username: DEFAULT_SERVER_USER, ...(serverPasswordFile ? { passwordFile: serverPasswordFile } : {}) },
      http: { ...c.server.http, host: '127.0.0.1', port: httpPort },
      database: join(dataDir, 'hall.db'),
      tickSeconds: 10,
      logLevel: 'warn',
      // SMS through the GSM modem driver, to the modem emulator on a pty.
      ...(modemPath ? { sms: smsSchema.parse({ provider: 'modem', modem: { path: modemPath, baudRate: 115200 } }) } : {}),
    },
  };
}

/**
 * `hallq demo`: embedded broker, hall server, agent and every device emulated over real ptys, with
 * a trickle of citizens and staff pressing their keypads. Ctrl-C stops everything cleanly.
 */
export interface RunningDemo {
  stopped: Promise<void>;
  stop: () => Promise<void>;
  hardware: DemoHardware;
  httpPort: number;
  kioskPort: number;
  link: AgentLink;
  /** The voice queue (undefined when espeak-ng or sox is missing): tests watch what it announces. */
  announcer?: VoiceAnnouncer;
}

export async function runDemo(o: DemoOptions): Promise<RunningDemo> {
  const base = loadConfigOrThrow(o.config);
  const dataDir = mkdtempSync(join(tmpdir(), 'hallq-demo-'));
  // Logs (JSON, warnings and up) go to stderr so the console shows the hall, not the plumbing.
  const logger: Logger = createLogger({ level: 'warn', destination: process.stderr });
  // The demo broker authenticates and authorizes like the shipped Mosquitto config, with users made now.
  const creds = demoCredentials(dataDir, [DEFAULT_SERVER_USER, DEMO_AGENT, DEMO_WATCH]);
  const cred = (user: string) => creds.users.get(user) ?? { password: '', file: '' };
  const broker = await brokerOn(o.mqttPort, { passwordFile: creds.passwordFile, acl: hallAcl(base.hall.id, DEFAULT_SERVER_USER) });
  const serverPw = cred(DEFAULT_SERVER_USER).file;
  // The emulator's end is opened here; the server's SMS delivery opens the host end itself (by path).
  const modemPty = await openPtyPair();
  const modemDevice = new SerialTransport({ path: modemPty.device, baudRate: 115200 });
  await modemDevice.open();
  const modem = new ModemEmulator(modemDevice, { logger: logger.child({ device: 'modem-emulator' }) });
  await modem.start();
  let server;
  try {
    server = await startServerFrom(demoConfig(base, dataDir, broker.url, o.httpPort, o.keepServiceHours, modemPty.host, serverPw), Date.now, logger);
  } catch {
    server = await startServerFrom(demoConfig(base, dataDir, broker.url, 0, o.keepServiceHours, modemPty.host, serverPw), Date.now, logger);
  }
  const httpPort = (server.http.address() as { port: number }).port;
  const config = demoConfig(base, dataDir, broker.url, httpPort, o.keepServiceHours, modemPty.host, serverPw);
  // Demo sign-ins (never do this in a real hall: `hallq staff passwd` sets each PIN).
  const credentials = openCredentials(config.server.database, logger);
  for (const s of config.staff) await credentials.set(s.id, DEMO_PINS[s.role], Date.now());
  credentials.close();
  const signIns = (['manager', 'staff', 'technician'] as const)
    .map((role) => {
      const ids = config.staff.filter((s) => s.role === role).map((s) => s.id);
      return ids.length === 0 ? '' : `${role} ${ids.length > 2 ? `${ids[0]}…${ids[ids.length - 1]}` : ids.join(', ')} PIN ${DEMO_PINS[role]}`;
    })
    .filter((x) => x !== '')
    .join(' · ');
  const link = new AgentLink({ url: broker.url, hall: config.hall.id, agentId: DEMO_AGENT, username: DEMO_AGENT, password: cred(DEMO_AGENT).password }, logger.child({ component: 'agent' }));
  await link.start();
  await link.catchUp();
  const windows = config.windows.map((w) => w.id);
  const hw = await startDemoHardware(windows, logger);
  const hashKey = randomBytes(32);
  const offs: (() => void)[] = [];
  offs.push(attachDisplays(link, hw.screens, hw.keypads, logger));
  const staffNumber = (n: string) => config.staff[Number(n) - 1]?.id;
  for (const [w, k] of hw.keypads) offs.push(attachCaller(link, w, k, staffNumber, logger));
  // Device health, retained per agent: the printer's paper and link, each keypad's answers.
  const health = new Map<string, DeviceHealth>([['printer', { name: 'printer', kind: 'escpos', state: 'unknown' }]]);
  for (const w of windows) health.set(`keypad-${w}`, { name: `keypad-${w}`, kind: 'keypad', state: 'ok' });
  const publishHealth = () => link.publishDevices([...health.values()]);
  offs.push(
    hw.printer.onHealth((h) => {
      health.set('printer', { name: 'printer', kind: 'escpos', state: h === 'ok' ? 'ok' : h === 'near-end' ? 'degraded' : h === 'unknown' ? 'unknown' : 'offline', detail: h });
      publishHealth();
    }),
  );
  for (const [w, k] of hw.keypads) {
    offs.push(
      k.on((e) => {
        if (e.type !== 'offline' && e.type !== 'online') return;
        health.set(`keypad-${w}`, { name: `keypad-${w}`, kind: 'keypad', state: e.type === 'online' ? 'ok' : 'offline', ...(e.type === 'offline' ? { detail: e.error.code } : {}) });
        publishHealth();
      }),
    );
  }
  publishHealth();
  // Spoken calls: the default clip set made by espeak-ng, each call written to a WAV file (no speaker needed).
  let voiceNote = 'off (espeak-ng or sox missing)';
  let demoAnnouncer: VoiceAnnouncer | undefined;
  try {
    const clips = join(dataDir, 'clips');
    await generateDefaultClips(clips, { logger });
    const library = await loadClipLibrary(clips, logger);
    const announcer = new VoiceAnnouncer({ library, sink: new WavFileSink(join(dataDir, 'calls')), logger, repeat: 2, fallback: (text) => espeakToPcm(text, { format: library.format }) });
    demoAnnouncer = announcer;
    offs.push(attachVoice(link, announcer));
    offs.push(() => void announcer.close());
    voiceNote = `each call spoken twice into ${join(dataDir, 'calls')}/*.wav`;
  } catch (e) {
    logger.warn({ err: String(e) }, 'voice disabled in the demo');
  }
  const kiosk = new KioskFlow(link, hw.printer, { statusBaseUrl: `http://127.0.0.1:${httpPort}`, logger });
  // A card on the reader is held for the citizen's next ticket (hash + masked forms only).
  const card = new CardSlot();
  hw.cardReader.on('card', (c) => card.put(personFromCard(c.idNumber, c.name, hashKey)));
  hw.cardReader.on('removed', () => undefined);
  let kioskHttp;
  try {
    kioskHttp = await startKioskHttp(link, kiosk, card, { host: '127.0.0.1', port: o.kioskPort, statusBaseUrl: `http://127.0.0.1:${httpPort}`, wedge: wedgeInto(card, hashKey) }, logger);
  } catch {
    kioskHttp = await startKioskHttp(link, kiosk, card, { host: '127.0.0.1', port: 0, statusBaseUrl: `http://127.0.0.1:${httpPort}` }, logger);
  }
  const kioskPort = (kioskHttp.address() as { port: number }).port;
  const rng = new Random(o.seed);
  const serviceName = (id: string) => config.services.find((s) => s.id === id)?.name.zh ?? id;

  // What the console shows: calls, printed tickets, notices, ratings.
  offs.push(
    link.onEvent((e) => {
      const t = 'ticketId' in e ? own(link.replica.state.tickets, e.ticketId) : undefined;
      if (e.type === 'TicketCalled' && t) o.print(`📢 请 ${t.number} 号 到 ${e.window} 号窗口 办理  (${serviceName(t.serviceId)}${e.reason ? `, ${e.reason}` : ''})`);
      else if (e.type === 'RatingRecorded') o.print(`⭐ ${e.rating.number} rated ${e.rating.grade} at window ${e.rating.window}`);
      else if (e.type === 'WindowOpened') o.print(`🪟 window ${e.window} opened by ${e.staffId}`);
    }),
  );
  offs.push(modem.onMessage((m) => o.print(`📱 SMS to ${maskPhone(m.phone)}: ${m.text}`)));
  offs.push(
    hw.printerEmulator.onTicket((ticket) => {
      const lines = ticket.blocks.flatMap((b) => (b.type === 'text' ? [b.text] : b.type === 'qr' ? [`[QR ${b.data}]`] : []));
      o.print(`🎫 printed: ${lines.slice(1, 5).join(' | ')}`);
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

  const takeTicket = async (serviceId: string) => {
    const c = randomCitizen(() => rng.next());
    const service = config.services.find((s) => s.id === serviceId);
    const withId = service?.idRequired === true || rng.chance(0.5);
    const withPhone = rng.chance(0.6);
    const r = await kiosk.issue({
      serviceId,
      ...(withId ? { person: personFromCard(c.idNumber, c.name, hashKey) } : {}),
      ...(withPhone ? { phoneMasked: maskPhone(c.phone), phone: c.phone } : {}),
    });
    if (!r.ok) o.print(`🚫 ${serviceName(serviceId)}: ${r.message.zh} / ${r.message.en}`);
  };

  // Citizens arrive at random, weighted like the demo day's morning.
  const weights = config.services.map((s) => {
    const a = config.simulation?.arrivalsPerHour[s.id];
    return Array.isArray(a) ? (a[9] ?? 1) : (a ?? 1);
  });
  const total = weights.reduce((x, y) => x + y, 0);
  const arrive = () => {
    if (stopping) return;
    let r = rng.next() * total;
    const s = config.services.find((_, i) => (r -= weights[i] ?? 0) < 0) ?? config.services[0];
    if (s) void takeTicket(s.id).catch((e: unknown) => logger.warn({ err: String(e) }, 'demo arrival failed'));
    later(rng.exponential(8000 / o.speed), arrive);
  };

  // Staff: log in on their keypads, then call, serve for a while, sometimes ask for a rating, call again.
  const serve = (w: number) => {
    if (stopping) return;
    const keypad = hw.keypadEmulators.get(w);
    const v = windowView(link.replica.state, w);
    if (keypad && v.status === 'open' && (v.current || v.waiting > 0)) {
      if (v.current && rng.chance(0.35)) {
        keypad.press('rating-request');
        later(1500 / o.speed, () => keypad.giveGrade(rng.chance(0.85) ? 1 + Math.floor(rng.next() * 2) : 3 + Math.floor(rng.next() * 3)));
        later(2500 / o.speed, () => keypad.press('call'));
      } else keypad.press('call');
    }
    later((15_000 + rng.next() * 30_000) / o.speed, () => serve(w));
  };
  if (o.trickle !== false) {
    windows.forEach((w, i) => {
      later(300 * i, () => hw.keypadEmulators.get(w)?.typeLogin(String(i + 1)));
      later(2000 + rng.next() * 5000, () => serve(w));
    });
    later(1000, arrive);
  }

  o.print(`hallq demo — ${config.hall.name.zh} (${config.hall.name.en})
  pages         kiosk http://127.0.0.1:${kioskPort}/kiosk · display http://127.0.0.1:${httpPort}/display · caller http://127.0.0.1:${httpPort}/caller?window=1 · admin http://127.0.0.1:${httpPort}/admin
  sign in       http://127.0.0.1:${httpPort}/sign-in with the demo PINs: ${signIns} (staff also give their window)
  hall server   http://127.0.0.1:${httpPort}/api/hall · /livez /readyz (public) · /api/queue · /api/windows · /metrics (signed in, or the CLI token ${config.server.database}.cli-token)
  MQTT broker   ${broker.url}, users and passwords in ${join(dataDir, 'broker')}
                (watch: mosquitto_sub -h 127.0.0.1 -p ${broker.port} -u ${DEMO_WATCH} -P "$(cat ${cred(DEMO_WATCH).file})" -t 'hallq/v1/${config.hall.id}/#' -v)
  sms           GSM modem driver → modem emulator on ${modemPty.host} (the texts citizens would receive are shown below)
  devices       printer on ${hw.ptys.printer.host} (ESC/POS, 115200), ID-card reader on ${hw.ptys.idcard.host} (SAM, 115200),
                RS-485 line on ${hw.ptys.rs485.host} (9600): ${windows.length} LED screens + ${windows.length} keypads
  data          ${dataDir}
  voice         ${voiceNote}
  keys          t <service>  take a ticket · c <window>  press call · r <window> recall · p <window> pause · u <window> resume
                g <window> <1-5>  rate · card  put a citizen's ID card on the reader · paper out|near|ok · s  show the screens · q  quit (or Ctrl-C)
  services      ${config.services.map((s) => `${s.id} ${s.name.zh}`).join(' · ')}
`);

  const rl = process.stdin.isTTY || o.seconds === undefined ? createInterface({ input: process.stdin }) : undefined;
  let resolveStopped: () => void = () => {};
  const stopped = new Promise<void>((r) => (resolveStopped = r));
  const stop = async () => {
    if (stopping) return stopped;
    stopping = true;
    for (const t of timers) clearTimeout(t);
    rl?.close();
    for (const off of offs) off();
    await new Promise<void>((r) => kioskHttp.close(() => r()));
    kioskHttp.closeAllConnections();
    await hw.close();
    await link.stop();
    await server.stop();
    await broker.close();
    await modem.close();
    await modemPty.close();
    rmSync(dataDir, { recursive: true, force: true });
    o.print('hallq demo stopped.');
    resolveStopped();
  };
  rl?.on('line', (line) => {
    const [cmd, a, b] = line.trim().split(/\s+/);
    const w = Number(a);
    const keypad = hw.keypadEmulators.get(w);
    switch (cmd ?? '') {
      case 't':
        if (a) void takeTicket(a);
        break;
      case 'c':
        keypad?.press('call');
        break;
      case 'r':
        keypad?.press('recall');
        break;
      case 'p':
        keypad?.press('pause');
        break;
      case 'u':
        keypad?.pressEnter(3);
        break;
      case 'g':
        keypad?.press('rating-request');
        later(800, () => keypad?.giveGrade(Math.min(5, Math.max(1, Number(b) || 1))));
        break;
      case 'card': {
        const c = randomCitizen(() => rng.next());
        hw.cardEmulator.placeCard({ ...TEST_CARDS.zhang, name: c.name, idNumber: c.idNumber });
        o.print(`🪪 ID card on the reader (${maskName(c.name)})`);
        break;
      }
      case 'paper':
        hw.printerEmulator.set({ paper: a === 'out' ? 'out' : a === 'near' ? 'near-end' : 'ok' });
        o.print(`printer paper: ${a ?? 'ok'}`);
        break;
      case 's':
        for (const [id, e] of hw.screenEmulators) o.print(`  screen ${String(id).padStart(2)}: ${e.view.text || '(blank)'}`);
        break;
      case 'q':
        void stop();
        break;
      default:
        if (cmd) o.print('keys: t <service> · c|r|p|u <window> · g <window> <1-5> · paper out|near|ok · s · q');
    }
  });
  if (o.seconds !== undefined) later(o.seconds * 1000, () => void stop());
  return { stopped, stop, hardware: hw, httpPort, kioskPort, link, ...(demoAnnouncer ? { announcer: demoAnnouncer } : {}) };
}
