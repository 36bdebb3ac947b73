/**
 * What a durable commit costs the process in CPU (user and system time, process.cpuUsage), apart from
 * the wall time it waits: the event log's tables and rows as the commands bench writes them (3 events
 * and an outcome per command, 7 commands per commit, WAL), with synchronous=FULL (hallq) and OFF (no
 * fsync; never used by hallq), alternating, 280 commits each after 20 of warm-up.
 *
 *   npx tsx scripts/bench/append-cpu.ts
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dir = mkdtempSync(join(tmpdir(), 'hallq-append-cpu-'));
const PER_COMMIT = 7;
const COMMITS = 300;
const WARM = 20;

function open(sync: 'FULL' | 'OFF') {
  const db = new Database(join(dir, `${sync}.db`));
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${sync}`);
  db.exec(
    'CREATE TABLE events (seq INTEGER PRIMARY KEY, at INTEGER NOT NULL, command_id TEXT NOT NULL, type TEXT NOT NULL, pos INTEGER NOT NULL, body TEXT NOT NULL);' +
      'CREATE TABLE commands (id TEXT PRIMARY KEY, outcome TEXT NOT NULL, last_seq INTEGER NOT NULL);',
  );
  const insertEvent = db.prepare('INSERT INTO events (seq, at, command_id, type, pos, body) VALUES (@seq, @at, @command_id, @type, @pos, @body)');
  const insertCommand = db.prepare('INSERT INTO commands (id, outcome, last_seq) VALUES (?, ?, ?)');
  const lastSeq = db.prepare('SELECT coalesce(max(seq), 0) AS last FROM events');
  const body = JSON.stringify({ ticketId: '20261123-A001', window: 3, staffId: 's3', outcome: { ok: true } });
  let seq = 0;
  let command = 0;
  const commit = db.transaction(() => {
    lastSeq.get();
    for (let c = 0; c < PER_COMMIT; c++) {
      const id = `c${++command}`;
      for (let pos = 0; pos < 3; pos++) insertEvent.run({ seq: ++seq, at: 1795399200450 + seq, command_id: id, type: 'TicketCalled', pos, body });
      insertCommand.run(id, '{"ok":true}', seq);
    }
  });
  return { db, commit: () => commit.immediate(), user: 0, system: 0 };
}

const sides = { FULL: open('FULL'), OFF: open('OFF') };
for (let i = 0; i < COMMITS; i++) {
  for (const s of i % 2 ? [sides.FULL, sides.OFF] : [sides.OFF, sides.FULL]) {
    const t = process.cpuUsage();
    s.commit();
    const d = process.cpuUsage(t);
    if (i >= WARM) {
      s.user += d.user;
      s.system += d.system;
    }
  }
}
const n = (COMMITS - WARM) * PER_COMMIT;
for (const [name, s] of Object.entries(sides)) {
  console.log(`synchronous=${name}: CPU per command appended ${((s.user + s.system) / n).toFixed(1)} µs (user ${(s.user / n).toFixed(1)}, system ${(s.system / n).toFixed(1)}); 3 events + outcome, ${PER_COMMIT} commands per commit`);
  s.db.close();
}
rmSync(dir, { recursive: true, force: true });
