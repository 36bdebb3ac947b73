import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type http from 'node:http';
import type { Logger } from '../../drivers/common/logger.js';
import type { DeviceHealth } from '../bus/messages.js';
import { loadConfigOrThrow } from '../config/load.js';
import { thisAgent, type ThisAgent } from '../config/agents.js';
import { KIOSK_JOURNAL_WARNING, kioskJournalInMemory, kioskWarnings } from '../config/kiosk-warnings.js';
import type { ConfigWarning } from '../config/warnings.js';
import { readReferencedFile } from '../config/referenced-files.js';
import type { HallqConfig } from '../config/schema.js';
import { createLogger } from '../log/logger.js';
import { createNotifier } from '../ops/sd-notify.js';
import { packageVersion } from '../ops/version.js';
import type { DeviceManager, DeviceManagerOptions } from './devices/manager.js';
import { kioskPortKey, startHardware, type RunningHardware } from './hardware.js';
import { assertCanListen } from '../http/app.js';
import { StartupScope } from '../ops/startup.js';
import { lazyAgentMetrics, registerAgentHealth, startAgentHealthHttp, type AgentHealthSources } from './health-http.js';
import { AgentLink } from './link.js';
import { settledWithin } from '../ops/bounded.js';
import type { IslandMode } from './island/island-mode.js';
import { openIsland } from './island/start.js';
import { resolveOpenPrints } from './flows/kiosk.js';
import { KioskJournal, replicaAgeRule, type AgeRule } from './kiosk-journal.js';
import { KeypadRefusals } from './flows/keypad-refusals.js';
import { DiskSpaceWatch, type DiskSpace } from '../store/disk-space.js';

export interface RunningAgent {
  link: AgentLink;
  /** Island mode, when configured (src/agent/island). */
  island?: IslandMode;
  /** The devices now open (a reload that changed this agent's devices opens a new manager). */
  readonly devices: DeviceManager;
  /** The caller keypads' inputs the agent refused itself, sending no command (a staff number nobody has, …): the demo echoes them. */
  readonly keypadRefusals: KeypadRefusals;
  /** The kiosk page's port as bound (the configured one, or the one the OS gave for port 0); absent without a kiosk. */
  kioskPort?: number;
  /** The health listener's port as bound (`agent.health`); absent without one. */
  healthPort?: number;
  /**
   * SIGHUP (systemctl reload): this agent's part of a re-read config. Changed devices or kiosk: the
   * hardware and its flows are closed and opened again from the new config (the link and the replica
   * stay); the hall part comes from the server's log as ever; the broker link, island mode, the log
   * level and the health listener take effect at the next restart (a warning names the keys).
   * Resolves with what it did.
   */
  reload(next: HallqConfig): Promise<'applied' | 'unchanged' | 'refused'>;
  /** A re-read file that did not parse was refused before reload (counted on /metrics as `refused`). */
  reloadRefused(): void;
  stop(): Promise<void>;
}

export interface AgentStartOptions {
  logger?: Logger;
  env?: NodeJS.ProcessEnv;
  /** Test hooks: faster polls and reopen backoff. */
  devices?: Omit<DeviceManagerOptions, 'logger'>;
  /** Link request timeout (default the link's own). */
  requestTimeoutMs?: number;
  /** The hall's clock for island mode's own core (default Date.now; tests run a fixed day). */
  clock?: () => number;
  /** What the start opened so far (src/ops/startup.ts): the daemon aborts it on a stop during the start. */
  scope?: StartupScope;
}

/** Closes a listener and the connections it holds (a page's event stream), bounded. */
async function closeServer(server: http.Server): Promise<void> {
  const closed = new Promise<void>((r) => server.close(() => r()));
  server.closeAllConnections();
  await settledWithin(closed, 2000);
}

/**
 * The warnings for this agent's kiosk (its status page address this machine's or too long for the QR code,
 * its listener bound beyond this machine): the server's warnings for this agent's entry (kioskWarnings on
 * the same parsed config), so both say the same words.
 */
function ownKioskWarnings(config: HallqConfig, me: ThisAgent): ConfigWarning[] {
  const prefix = `agents[${config.agents.findIndex((a) => a.id === me.id)}].kiosk.`;
  return kioskWarnings(config).filter((w) => w.path.startsWith(prefix));
}

/**
 * The kiosk's print journal at `path` (its directory made), or in memory (warned about by kioskJournalInMemory when the kiosk prints);
 * `ageRule` (the replica's, once caught up) says what the journal keeps instead of a card holder's birth date.
 */
function openKioskJournal(path: string | undefined, ageRule: AgeRule): KioskJournal {
  if (path === undefined) return KioskJournal.open(':memory:', ageRule);
  mkdirSync(dirname(path), { recursive: true });
  const journal = KioskJournal.open(path, ageRule);
  // Settled entries are kept a week (the server's log holds the outcome); open ones until they are settled.
  journal.purge(Date.now() - 7 * 24 * 3600 * 1000);
  return journal;
}

/** Seconds between the agent's own looks at its stores' free space (a low disk is logged even when nobody asks /readyz). */
const DISK_CHECK_SECONDS = 30;

/**
 * The free space under this agent's SQLite files on disk (the island outbox; the kiosk journal when it is
 * its own file), one watch per folder; undefined without a store on disk. The answer is the tightest folder.
 */
function agentDisk(config: HallqConfig, me: ThisAgent, logger: Logger): (() => DiskSpace | undefined) | undefined {
  const files = new Map<string, string[]>();
  const add = (file: string | undefined, store: string) => {
    if (file === undefined || file === ':memory:') return;
    const dir = dirname(file);
    files.set(dir, [...(files.get(dir) ?? []), store]);
  };
  add(config.island?.outbox, 'island outbox');
  if (me.kiosk && me.kioskJournal !== undefined && me.kioskJournal !== config.island?.outbox) add(me.kioskJournal, 'kiosk journal');
  if (files.size === 0) return undefined;
  const lowBytes = me.diskLowMegabytes * 1024 * 1024;
  const watches = [...files].map(([dir, stores]) => new DiskSpaceWatch(dir, lowBytes, logger, { store: stores.join(' and '), key: 'agent.diskLowMegabytes' }));
  return () => {
    const all = watches.map((w) => w.check()).filter((d) => d !== undefined);
    return all.reduce<DiskSpace | undefined>((tight, d) => (tight === undefined || d.freeBytes < tight.freeBytes ? d : tight), undefined);
  };
}

/**
 * The start's catch-up, which waits for the server as long as it takes (the replica is the hall's
 * only source), or, with island mode and the broker up, until this agent joined the island another
 * agent runs for the hall (IslandMode.joinRunning: an agent restarted during an island). While the
 * server is away (its retained status offline, or no answer within the first request's timeout) it
 * says once what it waits for, and /readyz says `waiting-for-server`; from then on it also watches
 * for an agent acting for the hall. Resolves caught up, or joined (the island's phase says which).
 */
async function caughtUpAtStart(link: AgentLink, logger: Logger, outbox: () => number | undefined, waiting: (w: boolean) => void, island: IslandMode | undefined): Promise<void> {
  let told = false;
  const stop = new AbortController();
  let away = () => undefined as void;
  const joined = new Promise<boolean>((resolve) => {
    away = () => resolve(island ? island.joinRunning(stop.signal) : false);
  });
  const tell = () => {
    if (told) return;
    told = true;
    waiting(true);
    const n = outbox();
    logger.warn(
      { waitingFor: 'hall server', ...(n === undefined ? {} : { islandOutbox: n }) },
      n ? `waiting for the hall server before starting the devices; then an island outbox of ${n} actions goes back first` : 'waiting for the hall server before starting the devices',
    );
    away();
  };
  const off = link.onServerStatus((s) => {
    if (!s.online) tell();
  });
  const slow = setTimeout(tell, 3000);
  slow.unref();
  try {
    const caught = link.catchUp().then(() => false);
    // Joined: the catch-up still waiting is left to the server's return (it no longer moves the replica).
    await Promise.race([caught, joined.then((j) => (j ? true : caught))]);
  } finally {
    stop.abort();
    off();
    clearTimeout(slow);
    waiting(false);
  }
}

/** `hallq agent --config FILE`. */
export async function runAgent(configPath: string): Promise<RunningAgent> {
  const config = loadConfigOrThrow(configPath);
  return startAgentFrom(config, { logger: createLogger({ level: thisAgent(config).logLevel }) });
}

function summary(list: DeviceHealth[]): string {
  const down = list.filter((d) => d.state === 'offline').map((d) => d.name);
  const counts = `${list.filter((d) => d.state === 'ok').length}/${list.length} devices ok`;
  return down.length > 0 ? `${counts}; offline (reopening, not fatal): ${down.join(', ')}` : counts;
}

/**
 * The mini-PC daemon: its link and replica, then its hardware and the flows between them.
 * READY=1 once the broker link is up, the replica has caught up and every device has been opened
 * once; a device that did not open is reported offline (and retried), never fatal.
 */
export async function startAgentFrom(config: HallqConfig, opts: AgentStartOptions = {}): Promise<RunningAgent> {
  const scope = opts.scope ?? new StartupScope();
  try {
    return await startAgent(config, opts, scope);
  } catch (e) {
    // A start that failed (a port taken, a file unreadable) or was stopped: close what it opened, bounded.
    await scope.closeAll();
    throw e;
  }
}

async function startAgent(config: HallqConfig, opts: AgentStartOptions, scope: StartupScope): Promise<RunningAgent> {
  const me = thisAgent(config);
  const logger: Logger = (opts.logger ?? createLogger({ level: me.logLevel })).child({ component: 'agent', agent: me.id });
  const notifier = createNotifier(opts.env ?? process.env, logger.child({ component: 'sd-notify' }));
  // A QR code (or SMS link) to this machine's address: no citizen's phone opens it. Said at the start, as `hallq config check` says it.
  // A kiosk API open to the hall's network: the same words too.
  for (const w of ownKioskWarnings(config, me)) logger.warn({ key: w.path, zh: w.zh }, w.en);
  // A printing kiosk whose print journal is in memory only: the same rule and words as `hallq config check`.
  if (kioskJournalInMemory(config)) logger.warn({ key: KIOSK_JOURNAL_WARNING.path, zh: KIOSK_JOURNAL_WARNING.zh }, KIOSK_JOURNAL_WARNING.en);
  const password = me.mqtt.passwordFile ? readReferencedFile('agent.mqtt.passwordFile', me.mqtt.passwordFile).trim() : undefined;
  const link = new AgentLink(
    {
      url: me.mqtt.url,
      hall: config.hall.id,
      agentId: me.id,
      maxMessageBytes: me.mqtt.maxMessageBytes,
      ...(me.mqtt.username ? { username: me.mqtt.username } : {}),
      ...(password ? { password } : {}),
      ...(opts.requestTimeoutMs === undefined ? {} : { requestTimeoutMs: opts.requestTimeoutMs }),
    },
    logger.child({ component: 'link' }),
  );
  let started = false;
  const reloads = { applied: 0, unchanged: 0, refused: 0 };
  let current: DeviceHealth[] = [];
  const onDevices = (list: DeviceHealth[]) => {
    current = list;
    link.publishDevices(list);
    void notifier.status(`agent ${me.id}: ${summary(list)}`);
  };
  let island: ReturnType<typeof openIsland> | undefined;
  const disk = agentDisk(config, me, logger.child({ component: 'store' }));
  // Connected, but the server has not answered the start's catch-up yet (it is away: an agent restarted during an island).
  let waitingForServer = false;
  // /livez, /readyz and /metrics: on the health listener (agent.health) and on the kiosk's listener.
  const sources: AgentHealthSources = {
    agentId: me.id,
    version: packageVersion(),
    started: () => started,
    connected: () => link.connected,
    reconnects: () => link.reconnects,
    seq: () => link.replica.seq,
    waitingForServer: () => waitingForServer,
    ...(config.island ? { island: () => island?.mode.phase ?? 'online', outbox: () => island?.pending() ?? 0 } : {}),
    devices: () => current,
    reloads: () => reloads,
    ...(disk ? { disk } : {}),
  };
  const metrics = lazyAgentMetrics(sources);
  const kioskRoutes = (app: Parameters<typeof registerAgentHealth>[0]) => registerAgentHealth(app, sources, metrics);
  // Listening before the broker is reached: /livez answers and /readyz says 503 (starting) while the
  // link retries with backoff, and the listener keeps the process alive through a broker outage at start.
  const healthHttp: http.Server | undefined = me.health ? await startAgentHealthHttp(me.health.host, me.health.port, sources, logger.child({ component: 'health-http' }), metrics) : undefined;
  if (healthHttp) scope.add('health listener', () => closeServer(healthHttp));
  // The kiosk's port is bound only after the broker link and the catch-up: a port taken (another agent
  // runs here) ends the start now, before this one connects under the agent's client id and knocks the other off.
  if (me.kiosk) await assertCanListen(me.kiosk.host, me.kiosk.port, kioskPortKey(me.id));
  scope.check();
  // Island mode's store first: its outbox (an island before a restart) is said while the agent waits for the server.
  island = config.island ? openIsland(link, config.island, me.id, logger.child({ component: 'island' }), opts.clock, config.agents) : undefined;
  if (island) scope.add('island mode', () => island?.stop());
  // The agents' statuses from the first connect: restarted during an island, this agent may join it.
  island?.mode.listen();
  const linked = link.start();
  scope.add('broker link', () => link.stop());
  await linked;
  scope.check();
  await caughtUpAtStart(link, logger, () => island?.pending(), (w) => (waitingForServer = w), island?.mode);
  scope.check();
  // After a return the screens show the server's state again (a return before the devices open needs nothing: they open on it).
  let redraw = () => undefined as void;
  const offs: (() => void)[] = [link.onResync(() => redraw())];
  // Before the devices' first command: an outbox left by a restart goes back first (IslandMode.start), or,
  // joined to a running island, at its return.
  island?.start();

  // The kiosk's print journal: what the last run left open is settled first (by its ids), before the kiosk takes a request.
  const journal = me.kiosk ? openKioskJournal(me.kioskJournal ?? config.island?.outbox, replicaAgeRule(() => link.replica.state)) : undefined;
  const settling = journal ? resolveOpenPrints(link, journal, logger.child({ component: 'kiosk' })) : undefined;
  // One for the agent's life: a reload reopens the flows on it, so a listener keeps hearing them.
  const keypadRefusals = new KeypadRefusals();
  const open = (c: HallqConfig) => startHardware(link, c, thisAgent(c), logger, { ...(opts.devices ? { devices: opts.devices } : {}), onDevices, kioskRoutes, keypadRefusals, ...(journal ? { journal } : {}), ...(island ? { islandContacts: island.contacts } : {}) });
  let hw: RunningHardware = await open(config);
  scope.add('devices and kiosk', () => hw.stop());
  let running = config;
  redraw = () => hw.reattachDisplays();

  // Alive = the event loop runs the timer; a server, broker or device outage must not restart the agent.
  const stopWatchdog = notifier.startWatchdog(() => true);
  scope.add('watchdog', stopWatchdog);
  const diskTimer = disk ? setInterval(disk, DISK_CHECK_SECONDS * 1000).unref() : undefined;
  scope.add('disk check', () => clearInterval(diskTimer));
  const list = hw.devices.list();
  started = true;
  await notifier.ready(`agent ${me.id} at seq ${link.replica.seq}; ${summary(list)}`);
  logger.info({ seq: link.replica.seq, devices: list.map((d) => `${d.name}:${d.state}`) }, 'agent ready');
  const portOf = (server: http.Server | undefined) => {
    const a = server?.address();
    return a && typeof a === 'object' ? a.port : undefined;
  };
  const healthPort = portOf(healthHttp);
  const agent: RunningAgent = {
    link,
    keypadRefusals,
    get devices() {
      return hw.devices;
    },
    ...(island ? { island: island.mode } : {}),
    ...(healthPort === undefined ? {} : { healthPort }),
    reloadRefused: () => {
      reloads.refused += 1;
    },
    reload: async (next) => {
      let mine: ReturnType<typeof thisAgent>;
      try {
        mine = thisAgent(next);
      } catch (e) {
        reloads.refused += 1;
        logger.error({ err: e instanceof Error ? e.message : String(e) }, 'config reload refused; the running config stays');
        return 'refused';
      }
      const was = thisAgent(running);
      // A printer added to a kiosk whose journal is in memory: said as at a start (and as `hallq config check` says it of the file).
      if (kioskJournalInMemory(next) && !kioskJournalInMemory(running)) logger.warn({ key: KIOSK_JOURNAL_WARNING.path, zh: KIOSK_JOURNAL_WARNING.zh }, KIOSK_JOURNAL_WARNING.en);
      const restartOnly = (['id', 'mqtt', 'logLevel', 'health', 'idHashKeyFile', 'kioskJournal'] as const).filter((k) => JSON.stringify(mine[k]) !== JSON.stringify(was[k])).map((k) => `agent.${k}`);
      if (JSON.stringify(next.island) !== JSON.stringify(running.island)) restartOnly.push('island');
      if (restartOnly.length > 0) logger.warn({ keys: restartOnly }, 'these keys changed and take effect at the next restart (systemctl restart hallq-agent)');
      const staffChanged = JSON.stringify(next.staff) !== JSON.stringify(running.staff);
      if (JSON.stringify({ d: mine.devices, k: mine.kiosk }) === JSON.stringify({ d: was.devices, k: was.kiosk }) && !staffChanged) {
        reloads.unchanged += 1;
        logger.info({ seq: link.replica.seq }, "config reloaded: this agent's devices and kiosk are unchanged");
        return 'unchanged';
      }
      // The devices are reopened from the new config; the link and the replica stay, so nothing is missed.
      await hw.stop();
      try {
        hw = await open(next);
      } catch (e) {
        // A listener that cannot bind (the kiosk's new port taken): back to the running config.
        reloads.refused += 1;
        logger.error({ err: e instanceof Error ? e.message : String(e) }, 'config reload failed; reopening the running config');
        hw = await open(running);
        return 'refused';
      }
      running = next;
      const port = portOf(hw.kioskHttp);
      if (port === undefined) delete agent.kioskPort;
      else agent.kioskPort = port;
      reloads.applied += 1;
      logger.info({ devices: hw.devices.list().map((d) => `${d.name}:${d.state}`) }, 'config reloaded: devices and kiosk reopened from the new config');
      return 'applied';
    },
    stop: async () => {
      started = false;
      await notifier.stopping();
      stopWatchdog();
      clearInterval(diskTimer);
      island?.stop();
      for (const off of offs.splice(0)) off();
      if (healthHttp) await closeServer(healthHttp);
      await hw.stop();
      await link.stop();
      // Whatever was still being settled stays open in the journal for the next start.
      void settling?.catch(() => undefined);
      journal?.close();
      // Said as the server says its stop: the journal shows where a run ended, not only where it began.
      logger.info({}, 'agent stopped');
    },
  };
  const kioskPort = portOf(hw.kioskHttp);
  if (kioskPort !== undefined) agent.kioskPort = kioskPort;
  return agent;
}
