import { thisAgentIssue } from '../config/this-agent.js';
import { keptConfigFor } from '../config/config-cache.js';
import { CODE_CACHE, type CodeCacheHandle } from './code-cache-handle.js';
import type { ConfigResult } from '../config/validate.js';
import { createLogger } from '../log/logger.js';
import { errorLine, errorParts } from './cli-error.js';
import { exitCodes } from './exit-codes.js';
import { settledWithin } from '../ops/bounded.js';
import { StartupScope } from '../ops/startup.js';
import { isHallqError } from '../../drivers/common/error.js';

/** The longest a clean stop may take (ms): well under systemd's TimeoutStopSec (90 s by default). */
const STOP_BOUND_MS = 8000;
/** Where bin/hallq.js counts the SIGHUPs that came before the daemon listened. */
const HANGUPS_BEFORE_START = Symbol.for('hallq.hangupsBeforeStart');
/** After the stop, how long open handles may keep the process before it exits anyway (ms). */
const EXIT_GRACE_MS = 1000;

/**
 * Runs a daemon until SIGTERM or SIGINT, then stops it cleanly (STOPPING=1, retained offline status).
 * A bad config is refused before anything starts: one line on stderr, one error line in the log
 * (journald), every problem listed, and exit code 3 — never a guess.
 */
export async function daemon(kind: 'server' | 'agent', configPath: string): Promise<number> {
  // SIGHUP (systemctl reload, ExecReload=): re-read the config. Listened to from here on, so one during
  // the start is not Node's default action (which would end the daemon); the launcher counted any that
  // came while the code loaded (bin/hallq.js). One asked before the start completes is done right after it.
  let reloadAsked = Number((globalThis as Record<symbol, unknown>)[HANGUPS_BEFORE_START] ?? 0) > 0;
  let onHangup: (() => void) | undefined;
  const hangup = () => (onHangup ? onHangup() : void (reloadAsked = true));
  process.removeAllListeners('SIGHUP');
  process.on('SIGHUP', hangup);
  // Under systemd, CacheDirectory=hallq: the config checked at the last start, kept for the same bytes and
  // build, taken when its digest matches: neither the YAML parser nor the schema loads then, only on a miss
  // (together about a fifth of the server's start; src/config/config-cache.ts says why no second check).
  const cacheDir = process.env.CACHE_DIRECTORY?.split(':')[0] || undefined;
  const kept = cacheDir ? keptConfigFor(configPath, cacheDir) : undefined;
  let checked: ConfigResult = kept ? { ok: true, config: kept } : (await import('../config/load.js')).loadConfigFile(configPath, { cacheDir });
  // An agent also needs to know which of the hall's agents it is.
  const mine = checked.ok && kind === 'agent' ? thisAgentIssue(checked.config) : undefined;
  if (mine) checked = { ok: false, issues: [mine] };
  if (!checked.ok) {
    const { formatIssues, issueLine } = await import('../config/load.js');
    const first = checked.issues[0];
    const n = checked.issues.length;
    const line = `error: CONFIG_INVALID: hallq ${kind} did not start: ${n} problem(s) in ${configPath}; first: ${first ? issueLine(first) : 'unknown'}; \`hallq config check ${configPath}\` lists them all (${configPath} 有 ${n} 处问题，未启动；第一处：${first ? issueLine(first, true) : '未知'}；\`hallq config check ${configPath}\` 列出全部问题)`;
    process.stderr.write(`${line}\n`);
    createLogger({ component: kind }).error({ config: configPath, issues: formatIssues(configPath, checked.issues).split('\n') }, 'config invalid; refusing to start');
    process.off('SIGHUP', hangup);
    return exitCodes.configInvalid;
  }
  // Listening before the start, not after READY: a SIGTERM that came between READY=1 and a listener
  // added afterwards would kill the process on the spot (default action), skipping the clean stop.
  // One that comes during the start ends it: what it opened so far is closed (bounded) and the process exits.
  const stopRequested = new Promise<'stop'>((resolve) => {
    process.once('SIGTERM', () => resolve('stop'));
    process.once('SIGINT', () => resolve('stop'));
  });
  // Only the daemon asked for is loaded (the server no device drivers, the agent no event log), and the
  // config checked above is the one it runs: parsing the YAML again would cost a tenth of the start.
  const scope = new StartupScope();
  const config = checked.config;
  const starting =
    kind === 'server'
      ? import('../server/main.js').then((m) => m.startServerFrom(config, Date.now, undefined, scope))
      : import('../agent/main.js').then((m) => m.startAgentFrom(config, { scope }));
  const first = await Promise.race([starting.then((running) => ({ running }), (error: unknown) => ({ error })), stopRequested]);
  if (first === 'stop') {
    // Stopped during the start: close what was opened (the start closes whatever it opens after this).
    process.off('SIGHUP', hangup);
    const closed = await settledWithin(scope.abort(), STOP_BOUND_MS);
    createLogger({ component: kind }).info({ closed }, 'stopped during the start');
    exitSoon();
    return exitCodes.ok;
  }
  if ('error' in first) {
    // The start failed and has closed what it opened: one clear line, one log line, exit 1 (3 for an
    // invalid config, 4 for SERVER_RUNNING) — never a
    // half-started daemon that holds the broker's client id or waits for a signal nobody handles.
    process.off('SIGHUP', hangup);
    const e = first.error;
    const p = errorParts(e);
    process.stderr.write(`${errorLine({ code: p.code, message: `hallq ${kind} cannot start: ${p.message}`, messageZh: `hallq ${kind} 未能启动：${p.messageZh}` })}\n`);
    createLogger({ component: kind }).error({ code: isHallqError(e) ? e.code : p.code, err: p.message }, 'start failed; everything it opened is closed');
    exitSoon();
    // A config problem only the start finds (a password file that is not there) is still an invalid config: 3.
    if (isHallqError(e, 'CONFIG_INVALID')) return exitCodes.configInvalid;
    return isHallqError(e, 'SERVER_RUNNING') ? exitCodes.serverRunning : exitCodes.failure;
  }
  const running = first.running;
  const log = createLogger({ component: kind });
  // Loaded with V8's code cache (bin/hallq.js, src/cli/code-cache.ts): the caches this start lacked, written now it has started.
  const codeCache = (globalThis as Record<symbol, CodeCacheHandle | undefined>)[CODE_CACHE];
  if (codeCache) {
    const written = codeCache.afterStart();
    const { withCache, withoutCache, uncacheable, rejected, writeError } = codeCache.stats;
    log.info({ fromCache: withCache, compiled: withoutCache, withImports: uncacheable, refused: rejected, written, dir: cacheDir }, 'modules loaded with the code cache');
    // Said, not fatal: every start compiles what it could not keep (~45 ms more), nothing else changes.
    if (writeError !== undefined) log.warn({ dir: cacheDir, error: writeError, zh: `无法写入代码缓存目录 ${cacheDir ?? ''}（${writeError}）：每次启动会多花一些时间；请检查该目录属于运行 hallq 的用户且磁盘可写` }, 'the code cache could not be written: every start compiles the build again (a little slower); check that the folder belongs to the user hallq runs as and the disk is writable');
  }
  let reloading: Promise<unknown> = Promise.resolve();
  onHangup = () => {
    // One reload at a time, in the order of the signals: a second SIGHUP during an agent's reopen waits for it.
    reloading = reloading
      .then(async (): Promise<unknown> => {
        const { formatIssues, loadConfigFile } = await import('../config/load.js');
        const next = loadConfigFile(configPath);
        // The server records the hall part; the agent reopens its devices and kiosk when they changed.
        const own = next.ok && kind === 'agent' ? thisAgentIssue(next.config) : undefined;
        const issues = next.ok ? (own ? [own] : []) : next.issues;
        if (!next.ok || issues.length > 0) {
          log.error({ config: configPath, issues: formatIssues(configPath, issues).split('\n') }, 'config reload refused: the file is invalid; the running config stays');
          if ('reloadRefused' in running) running.reloadRefused();
          return undefined;
        }
        // A file the new config names that cannot be read would stop the next start (config check says so too):
        // said now, with its key, while the running daemon still can be kept.
        const { unreadableFiles } = await import('../config/referenced-files.js');
        const parts = kind === 'server' ? { server: next.config.server, platform: next.config.platform } : { agent: next.config.agent };
        const unreadable = unreadableFiles(parts);
        if (unreadable.length > 0) log.warn({ config: configPath, issues: formatIssues(configPath, unreadable).split('\n') }, 'a file the new config names cannot be read: the next start would fail until it can (the reload goes on)');
        return running.reload(next.config);
      })
      .catch((e: unknown) => log.error({ err: String(e) }, 'config reload failed'));
  };
  if (reloadAsked) {
    log.info({}, 'a reload was asked during the start: reading the config again now');
    onHangup();
  }
  await stopRequested;
  process.off('SIGHUP', hangup);
  await settledWithin(reloading, STOP_BOUND_MS);
  // Bounded: every step of stop() is bounded already; this is the last guard under systemd's stop timeout.
  if (!(await settledWithin(running.stop(), STOP_BOUND_MS))) {
    createLogger({ component: kind }).error({ boundMs: STOP_BOUND_MS }, 'stop did not finish in time; exiting anyway');
  }
  exitSoon();
  return exitCodes.ok;
}

/** Whatever handle is still open (a socket being torn down, a timer of a library) must not hold the exit. */
function exitSoon(): void {
  setTimeout(() => process.exit(process.exitCode ?? exitCodes.ok), EXIT_GRACE_MS).unref();
}
