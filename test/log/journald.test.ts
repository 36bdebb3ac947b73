import { fstatSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createLogger, stdoutIsJournal, syslogPriority } from '../../src/log/logger.js';

describe('journald priorities', () => {
  it('prefixes each JSON line with the syslog priority of its level, which journald strips (journalctl -p warning)', () => {
    const lines: string[] = [];
    const log = createLogger({ level: 'trace', journald: true, destination: { write: (s: string) => void lines.push(s) } });
    log.trace('t');
    log.debug('d');
    log.info('i');
    log.warn('w');
    log.error('e');
    log.fatal('f');
    expect(lines.map((l) => /^<(\d)>\{"level":(\d+)/.exec(l)?.slice(1, 3))).toEqual([
      ['7', '10'],
      ['7', '20'],
      ['6', '30'],
      ['4', '40'],
      ['3', '50'],
      ['2', '60'],
    ]);
    // After the prefix, the line is the same JSON a reader parses.
    expect(JSON.parse(lines[3]!.replace(/^<\d>/, ''))).toMatchObject({ level: 40, msg: 'w' });
    expect([10, 20, 30, 40, 50, 60].map(syslogPriority)).toEqual([7, 7, 6, 4, 3, 2]);
  });

  it('writes plain JSON lines when not told to, and a test destination never gets the prefix by default', () => {
    const lines: string[] = [];
    createLogger({ destination: { write: (s: string) => void lines.push(s) } }).warn('w');
    expect(lines[0]).toMatch(/^\{"level":40/);
  });

  it('knows stdout is the journal only when $JOURNAL_STREAM names stdout itself (systemd.exec(5))', () => {
    const st = fstatSync(1);
    expect(stdoutIsJournal({ JOURNAL_STREAM: `${st.dev}:${st.ino}` })).toBe(true);
    // Inherited by a child whose stdout went elsewhere (a pipe, a file): not the journal.
    expect(stdoutIsJournal({ JOURNAL_STREAM: `${st.dev}:${st.ino + 1}` })).toBe(false);
    expect(stdoutIsJournal({})).toBe(false);
    expect(stdoutIsJournal({ JOURNAL_STREAM: 'garbage' })).toBe(false);
  });
});
