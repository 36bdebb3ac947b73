import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../drivers/common/logger.js';
import { AgentLink, type IslandMessage } from '../../src/agent/link.js';
import type { Response, ServerStatus } from '../../src/bus/messages.js';
import { configSchema } from '../../src/config/schema.js';
import { readHallLog } from '../helpers/hall-log.js';
import { startReady, within, type Daemon } from '../helpers/hallq-process.js';
import { linkCut, type LinkCut } from '../helpers/link-cut.js';
import { startShippedHallBroker, type ShippedBroker } from '../helpers/shipped-mosquitto.js';
import { wireConfig, wireHallFile } from '../wire/rig.js';

/**
 * Trust at the return, end to end (README "Island mode", trust at the return; the third tryout of the
 * last session): the real `hallq server` process on its SQLite file, the shipped Mosquitto with the
 * hall's password file and ACL. agent-a (window 1's caller keypad) dies, offline by its last will; the
 * server is SIGKILLed; agent-b's password (a kiosk's) publishes its retained status "island, leader,
 * acting for the hall" while the server is down; the server is back in a second or two, far less than
 * island.afterSeconds, so no island can have formed: agent-b's return of a call at agent-a's window
 * `for` agent-a is refused unrun (IslandConflict not-acting). The contrast: the same claim found retained
 * after the server was away at least afterSeconds stands in for the dead agent (the call is made).
 * The unit twin is test/server/island-absence.test.ts.
 */
const HALL = wireConfig.id;
const SERVER_USER = 'hallq-server';
const A = 'agent-a';
const B = 'agent-b';
/** Large against a restart of a second or two (no genuine island forms, and "short" is no race). */
const AFTER_S = 10;
/** Bounds on things that take well under a second on an idle machine. */
const BOUND_MS = 15_000;

type StatusBody = Extract<IslandMessage, { kind: 'status' }>['status'];

/** Resolves when `link` receives a status of `agent` (live or retained) that `pred` accepts. */
function statusSeen(link: AgentLink, agent: string, pred: (s: StatusBody) => boolean, what: string): Promise<void> {
  return within(
    new Promise<void>((resolve) => {
      const off = link.onIsland((m) => {
        if (m.kind !== 'status' || m.agent !== agent || !pred(m.status)) return;
        off();
        resolve();
      });
    }),
    BOUND_MS,
    what,
  );
}

/** Resolves when `link` hears the server's status say online, sent from now on (a new server process connected and subscribed). */
function serverOnline(link: AgentLink): Promise<void> {
  const since = Date.now();
  return within(
    new Promise<void>((resolve) => {
      const off = link.onServerStatus((s: ServerStatus) => {
        if (!s.online || (s.at ?? 0) < since) return;
        off();
        resolve();
      });
    }),
    BOUND_MS,
    'the server online again on the broker',
  );
}

describe('trust at the return across a server restart: a leader claim found retained counts only after an absence of at least afterSeconds', () => {
  let dir: string;
  let broker: ShippedBroker & { passwords: ReadonlyMap<string, string> };
  let cutA: LinkCut;
  let server: Daemon | undefined;
  let serverConfig: string;
  let dbPath: string;
  let a: AgentLink;
  let b: AgentLink;
  let ticketId: string;
  const password = (u: string) => broker.passwords.get(u) ?? '';

  const bootServer = async (): Promise<Daemon> => {
    const online = serverOnline(b);
    const s = await startReady('server', serverConfig);
    server = s;
    // Its status reached agent-b after its subscription (one connection, in order): the retained statuses are in.
    await online;
    return s;
  };
  /** SIGKILL: no goodbye, the broker publishes the server's last will; its alive mark stops. */
  const killServer = async () => {
    const s = server;
    server = undefined;
    await s?.kill();
  };

  /** The server's log as its file holds it (read-only beside the running server, WAL), and the state it makes. */
  const serverLog = () => readHallLog(dbPath);

  /** When the server on this database last marked itself alive (src/server/alive-file.ts): read while it is down. */
  const aliveMark = (): number => statSync(`${dbPath}.alive`).mtimeMs;

  /** agent-b's password says "island, leader, acting for the hall" in its retained status (the ACL lets it), and the broker holds it. */
  const claimLeader = async () => {
    const claimed = statusSeen(b, B, (s) => s.island === 'island' && s.role === 'leader' && s.acting === B, "agent-b's retained leader claim on the broker");
    b.setIslandRole({ role: 'leader', acting: B });
    b.setIslandPhase('island');
    await claimed;
  };

  /** agent-b returns a call at agent-a's window `for` agent-a, as an acting agent's outbox replay would come. */
  const returnCallFor = (id: string): Promise<Response> => b.request({ id: `${id}-request`, type: 'island', command: { id, type: 'CallNext', window: 1 } as never, at: Date.now(), for: A, last: true });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hallq-island-short-restart-'));
    broker = await startShippedHallBroker(HALL, SERVER_USER, [A, B]);
    // agent-a reaches the broker through a relay whose link can be cut: its death, told by its last will.
    cutA = await linkCut({ host: '127.0.0.1', port: Number(new URL(broker.url).port) });
    const line = (window: number) => ({ path: '/dev/hallq/rs485-0', keypads: [{ window, address: window }] });
    // agent-a: window 1's caller keypad only; agent-b: a kiosk and window 2's keypad.
    const agents = [
      { id: A, devices: { rs485: [line(1)] } },
      { id: B, kiosk: {}, devices: { rs485: [line(2)] } },
    ];
    dbPath = join(dir, 'hall.db');
    writeFileSync(join(dir, 'server.pw'), password(SERVER_USER), { mode: 0o600 });
    const config = {
      ...wireHallFile(),
      agents,
      island: { leaseSize: 30, lowWater: 10, afterSeconds: AFTER_S, outbox: join(dir, 'island.db') },
      server: { mqtt: { url: broker.url, username: SERVER_USER, passwordFile: join(dir, 'server.pw') }, http: { host: '127.0.0.1', port: 0 }, database: dbPath, logLevel: 'info' },
    };
    configSchema.parse(config);
    // The server's own file (YAML is a superset of JSON).
    serverConfig = join(dir, 'hall.yaml');
    writeFileSync(serverConfig, JSON.stringify(config));
    b = new AgentLink({ url: broker.url, hall: HALL, agentId: B, username: B, password: password(B), requestTimeoutMs: 1000 }, silentLogger);
    await b.start();
    // agent-b reads the agents' statuses (island topics, as its island mode does).
    b.onIsland(() => undefined);
    a = new AgentLink({ url: cutA.url, hall: HALL, agentId: A, username: A, password: password(A), requestTimeoutMs: 1000 }, silentLogger);
    await a.start();
    const first = await bootServer();
    // Its first start on a new database writes island leases before it makes its key files: that is no
    // history (the tryout of the twentieth session was told "a database that has history" here).
    expect(first.output()).toMatch(/generated the rating link key/);
    expect(first.output()).not.toMatch(/database that has history/);
    // Staff s1 logs in at agent-a's window 1; a citizen takes a ticket at agent-b's kiosk.
    expect(await a.send({ type: 'OpenWindow', window: 1, staffId: 's1' })).toMatchObject({ ok: true });
    const issued = await b.send({ type: 'IssueTicket', serviceId: 'A', delivery: 'print' });
    if (!issued.ok || !issued.ticketId) throw new Error(`the kiosk's ticket was refused: ${JSON.stringify(issued)}`);
    ticketId = issued.ticketId;
    expect(await b.send({ type: 'PrintConfirmed', ticketId })).toMatchObject({ ok: true });
    // agent-a dies: the broker publishes its last will (retained), offline.
    const dead = statusSeen(b, A, (s) => !s.online, "agent-a's last will");
    await cutA.cut();
    await dead;
    await a.stop();
  }, 60_000);

  afterAll(async () => {
    await b?.stop();
    if (server && server.child.exitCode === null) {
      server.child.kill('SIGTERM');
      await server.exited;
    }
    await cutA?.close();
    await broker?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('a restart of a second or two: the forged claim is no island, the call for the dead agent is refused unrun (not-acting); after an absence of afterSeconds the same claim stands in', async () => {
    // --- The short restart.
    await killServer();
    await claimLeader();
    // The server's evidence of its absence: the alive mark beside its database, last touched before the kill.
    const shortAlive = aliveMark();
    const s1 = await bootServer();
    // It connected before agent-b heard it online: the absence it measured was at most this, under afterSeconds.
    expect(Date.now() - shortAlive, 'the restart was not a short one').toBeLessThan(AFTER_S * 1000);
    const refused = await returnCallFor('forged-short-call');
    expect(refused.status).toBe('ok');
    expect((refused as { data: unknown }).data).toMatchObject({ outcome: { ok: false }, conflict: { kind: 'not-acting' } });
    const before = serverLog();
    // Not run: no command of that id, the ticket still waiting, nobody called at window 1.
    expect(before.state.commands['forged-short-call']).toBeUndefined();
    expect(before.state.tickets[ticketId]).toMatchObject({ status: 'waiting' });
    expect(before.state.windows['1']).toMatchObject({ status: 'open' });
    expect(before.state.windows['1']?.current).toBeUndefined();
    expect(before.events.filter((e) => e.type === 'TicketCalled')).toEqual([]);
    expect(before.events.filter((e) => e.type === 'IslandConflict')).toEqual([expect.objectContaining({ agentId: B, commandId: 'not-acting-agent-b-forged-short-call', kind: 'not-acting', detail: expect.stringContaining(`${A} is offline`) })]);
    expect(s1.output()).toMatch(/island conflict resolved/);
    expect(s1.output()).not.toMatch(/island actions returned by a stand-in/);

    // --- The contrast: the same claim, found retained after the server was away at least afterSeconds.
    const online = statusSeen(b, B, (s) => s.online && s.island === undefined, "agent-b's status online again");
    b.setIslandPhase('online');
    await online;
    await killServer();
    await claimLeader();
    // What is tested here is the time itself: the server stays away until its alive mark is afterSeconds old (and a little).
    const longAlive = aliveMark();
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, longAlive + AFTER_S * 1000 + 250 - Date.now())));
    const s2 = await bootServer();
    const accepted = await returnCallFor('stand-in-long-call');
    expect(accepted.status).toBe('ok');
    expect((accepted as { data: { conflict?: unknown } }).data).toMatchObject({ outcome: { ok: true, ticketId } });
    expect((accepted as { data: { conflict?: unknown } }).data.conflict).toBeUndefined();
    const after = serverLog();
    expect(after.state.tickets[ticketId]).toMatchObject({ status: 'called', window: 1 });
    expect(after.events.filter((e) => e.type === 'IslandConflict')).toHaveLength(1);
    expect(s2.output()).toMatch(/island actions returned by a stand-in/);
  }, 60_000);
});
