import { statSync, utimesSync, writeFileSync } from 'node:fs';
import type { Logger } from '../../drivers/common/logger.js';

/** How often the running server marks itself alive (ms): the bound on how well its absence is known. */
export const ALIVE_EVERY_MS = 1000;

/**
 * `<database>.alive`: its modification time says when the server that had this database last ran (touched
 * every ALIVE_EVERY_MS, no fsync: a time, not data). Read once at start, before the first touch, it tells
 * how long the hall was without its server: island mode's evidence that the agents could have run the
 * hall alone (README "Island mode", trust at the return). Never throws: without the file (a first start,
 * a folder that is not writable) the absence is unknown (Infinity) and the file is made if it can be.
 */
export function aliveFile(database: string, logger: Logger): { lastAliveAt: number | undefined; stop(): void } {
  const path = `${database}.alive`;
  let lastAliveAt: number | undefined;
  try {
    lastAliveAt = statSync(path).mtimeMs;
  } catch {
    lastAliveAt = undefined;
  }
  let warned = false;
  const touch = () => {
    try {
      const now = new Date();
      try {
        utimesSync(path, now, now);
      } catch {
        writeFileSync(path, '', { mode: 0o600 });
      }
    } catch (e) {
      if (!warned) logger.warn({ file: path, err: e instanceof Error ? e.message : String(e) }, 'cannot mark the server alive beside its database: an island after a restart is judged without it');
      warned = true;
    }
  };
  touch();
  const timer = setInterval(touch, ALIVE_EVERY_MS);
  timer.unref();
  return { lastAliveAt, stop: () => clearInterval(timer) };
}
