/**
 * A tryout's find: the kiosk print journal kept each card holder's whole birth date (`"birthDate":"19491231"`
 * in kiosk_prints.issue), which, beside the masked ID (only the birth date and 2 digits hidden) and the
 * keyed hash whose key is on the same box, gives the ID number back. The journal now keeps the age rule's
 * answer instead (priority), and the rows an older version wrote are rewritten at the first open. Real
 * SQLite files, read as bytes (the file and its WAL), a real server over an embedded broker.
 */
import { existsSync, mkdtempSync, readFileSync, statSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../drivers/common/logger.js';
import type { EscPosPrinter } from '../../drivers/printer/driver.js';
import { TEST_CARDS } from '../../drivers/idcard/test-cards.js';
import { KioskFlow, resolveOpenPrints } from '../../src/agent/flows/kiosk.js';
import { KioskJournal, replicaAgeRule } from '../../src/agent/kiosk-journal.js';
import type { AgentLink } from '../../src/agent/link.js';
import { startEmbeddedBroker, type EmbeddedBroker } from '../../src/bus/embedded-broker.js';
import { personFromCard } from '../../src/bus/person.js';
import { emptyState, type Command } from '../../src/core/index.js';
import { smallDisk } from '../helpers/small-disk.js';
import { hallClock, startAgent, startServer, tempDb, wireConfig, type ServerRig } from '../wire/rig.js';

const key = Buffer.alloc(32, 7);
/** 张丽华, born 1949-12-31: 76 on the wire hall's day (priorityAge 70). 李明, born 1990-03-07. 王, born 1985-06-15. */
const zhang = personFromCard(TEST_CARDS.zhang.idNumber, TEST_CARDS.zhang.name, key);
const li = personFromCard(TEST_CARDS.li.idNumber, TEST_CARDS.li.name, key);
const BIRTHS = ['19491231', '19900307', '19850615'];

/** Every birth date (and the key) found in the bytes of the journal file and its WAL. */
function birthDatesIn(path: string): string[] {
  const found: string[] = [];
  for (const file of [path, `${path}-wal`].filter((f) => existsSync(f))) {
    const bytes = readFileSync(file).toString('latin1');
    for (const s of [...BIRTHS, 'birthDate']) if (bytes.includes(s)) found.push(`${file.slice(path.length) || 'db'}: ${s}`);
  }
  return found;
}

const journalPath = () => join(mkdtempSync(join(tmpdir(), 'hallq-journal-birth-')), 'kiosk-journal.db');
const issueOf = (id: string, person: typeof zhang, serviceId = 'B'): Command => ({ id, type: 'IssueTicket', serviceId, delivery: 'print', source: 'kiosk', person });

describe('the kiosk journal keeps no birth date (a real file, a real server)', () => {
  const clock = hallClock();
  let broker: EmbeddedBroker;
  let server: ServerRig;
  let link: AgentLink;
  beforeAll(async () => {
    broker = await startEmbeddedBroker();
    server = await startServer(broker.url, tempDb(), clock);
    link = await startAgent(broker.url, 'kiosk-1');
    await link.reach(server.engine.state.seq);
  });
  afterAll(async () => {
    await link?.stop();
    await server?.stop();
    await broker?.close();
  });
  const ticketOf = (idHash: string, serviceId: string) => Object.values(server.engine.state.tickets).find((t) => t.person?.idHash === idHash && t.serviceId === serviceId);

  it('an issue with a card: the ticket is priority by age as before, and neither the journal file nor its WAL holds the birth date', async () => {
    const path = journalPath();
    const journal = KioskJournal.open(path, replicaAgeRule(() => link.replica.state));
    const printer = { health: 'ok', print: (_doc: unknown, hooks: { beforeWrite?: () => void } = {}) => (hooks.beforeWrite?.(), Promise.resolve({ confirmation: 'device' })), onHealth: () => () => undefined } as unknown as EscPosPrinter;
    const kiosk = new KioskFlow(link, printer, { statusBaseUrl: 'http://hall.test', logger: silentLogger, clock, journal, idHashKey: key });
    const r = await kiosk.issue({ serviceId: 'A', person: zhang });
    expect(r).toMatchObject({ ok: true, printed: true });
    expect(ticketOf(zhang.idHash, 'A')).toMatchObject({ class: 'priority', status: 'waiting' });
    // The row is there (its masked ID), in the file or its WAL, while the journal is open; its birth date is not.
    const bytes = [path, `${path}-wal`].filter((f) => existsSync(f)).map((f) => readFileSync(f).toString('latin1'));
    expect(bytes.some((b) => b.includes(zhang.idMasked))).toBe(true);
    expect(birthDatesIn(path)).toEqual([]);
    journal.close();
    expect(birthDatesIn(path)).toEqual([]);
  });

  it('an issue asked and never answered before a crash is sent again from the journal and decides the same class', async () => {
    const path = journalPath();
    const journal = KioskJournal.open(path, replicaAgeRule(() => link.replica.state));
    journal.asked(issueOf('crash-zhang', zhang), clock());
    journal.asked(issueOf('crash-li', li), clock());
    expect(birthDatesIn(path)).toEqual([]);
    // The next start: sent again by its id, the server (which never had it) makes the ticket, voided at once.
    expect(await resolveOpenPrints(link, journal, silentLogger)).toEqual({ confirmed: 0, voided: 2, sentKept: 0 });
    expect(ticketOf(zhang.idHash, 'B')).toMatchObject({ class: 'priority', status: 'voided' });
    expect(ticketOf(li.idHash, 'B')).toMatchObject({ class: 'normal', status: 'voided' });
    journal.close();
  });
});

const at = hallClock()();
const wireHall = () => ({ ...emptyState(), day: '2026-11-23', config: wireConfig });

/** The journal as the version before wrote it: the issue as sent, birth date and all, and a purged row's bytes left in the page; `rows` more settled ones. */
function olderJournal(path: string, rows = 0): void {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.exec(`CREATE TABLE kiosk_prints (
    issue_id TEXT PRIMARY KEY, issue TEXT NOT NULL, step TEXT NOT NULL, ticket_id TEXT, settle_id TEXT, reason TEXT,
    at INTEGER NOT NULL, done INTEGER NOT NULL DEFAULT 0)`);
  const ins = db.prepare('INSERT INTO kiosk_prints (issue_id, issue, step, ticket_id, settle_id, at, done) VALUES (?, ?, ?, ?, ?, ?, ?)');
  const wang = { ...li, idHash: 'hash-wang', birthDate: '19850615' };
  ins.run('open', JSON.stringify(issueOf('open', zhang)), 'asked', null, null, at, 0);
  ins.run('settled', JSON.stringify(issueOf('settled', li)), 'cut', '20261123-B001', 'c1', at, 1);
  ins.run('purged', JSON.stringify(issueOf('purged', wang)), 'cut', '20261116-B001', 'c2', at - 7 * 86_400_000, 1);
  db.prepare("DELETE FROM kiosk_prints WHERE issue_id = 'purged'").run();
  // Issues with no card: only the file's size.
  db.transaction(() => {
    for (let i = 0; i < rows; i++) ins.run(`more-${i}`, JSON.stringify({ ...issueOf(`more-${i}`, li), person: undefined, pad: 'x'.repeat(2000) }), 'cut', `T${i}`, `c${i}`, at, 1);
  })();
  db.close();
}

describe('a journal an older version wrote, with birth dates', () => {
  it('is rewritten at the first open: no birth date left in the file or its WAL, the open issue keeps its priority, the rows their steps', () => {
    const path = journalPath();
    olderJournal(path);
    // What the tryout found: the birth dates in the file (the purged row's too, in the freed space).
    expect(birthDatesIn(path)).toEqual(['db: 19491231', 'db: 19900307', 'db: 19850615', 'db: birthDate']);

    const journal = KioskJournal.open(path, replicaAgeRule(wireHall));
    expect(birthDatesIn(path)).toEqual([]);
    const open = journal.open();
    expect(open.map((e) => [e.issueId, e.step])).toEqual([['open', 'asked']]);
    // Sent again, it is decided as with the birth date: priority by age (70 or more on its day).
    expect(open[0]?.issue).toEqual({ ...issueOf('open', zhang), person: { idHash: zhang.idHash, idMasked: zhang.idMasked, nameMasked: zhang.nameMasked, idValid: true }, priority: true });
    expect(journal.entry('settled')).toMatchObject({ step: 'cut', ticketId: '20261123-B001', done: true });
    journal.close();
    expect(birthDatesIn(path)).toEqual([]);

    // A settled row never goes out again: nothing of the age is kept for it.
    const raw = new Database(path, { readonly: true });
    expect(JSON.parse((raw.prepare("SELECT issue FROM kiosk_prints WHERE issue_id = 'settled'").get() as { issue: string }).issue)).not.toHaveProperty('priority');
    raw.close();
    // Opened again: the same rows, rewritten once.
    const again = KioskJournal.open(path, replicaAgeRule(wireHall));
    expect(again.open().map((e) => e.issue)).toEqual(open.map((e) => e.issue));
    again.close();
  });
});

const disk = smallDisk('journal-birth-full');

describe.skipIf(!disk.mounted)('an older journal on a disk too full for its rebuild (a real 3 MB tmpfs)', () => {
  afterAll(() => disk.unmount());

  it('opens all the same (the kiosk starts), with its rows rewritten, and finishes the scrub at an open with room', () => {
    const path = join(disk.dir, 'kiosk-journal.db');
    olderJournal(path, 300);
    expect(statSync(path).size).toBeGreaterThan(600_000);
    disk.fill();
    // Some room for the rows' rewrite, none for a copy of the file.
    const filler = join(disk.dir, 'filler');
    truncateSync(filler, Math.max(0, statSync(filler).size - 256 * 1024));
    const journal = KioskJournal.open(path, replicaAgeRule(wireHall));
    try {
      expect(journal.open()[0]?.issue).toMatchObject({ id: 'open', priority: true });
      expect(JSON.stringify(journal.open())).not.toContain('birthDate');
    } finally {
      journal.close();
    }
    // Not rebuilt (VACUUM found no room): not marked done, so the next open tries again.
    const scrubbed = () => {
      const raw = new Database(path, { readonly: true });
      const n = (raw.prepare('SELECT count(*) AS n FROM scrubbed').get() as { n: number }).n;
      raw.close();
      return n;
    };
    expect(scrubbed()).toBe(0);
    disk.free();
    KioskJournal.open(path, replicaAgeRule(wireHall)).close();
    expect(scrubbed()).toBe(1);
    expect(birthDatesIn(path)).toEqual([]);
  });
});
