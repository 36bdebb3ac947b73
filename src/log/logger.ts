/**
 * The process logger (DESIGN §9): pino JSON on stdout only (journald keeps it), one child per component,
 * and personal data never written (DESIGN §8). Two layers: redact paths for the keys we know, then
 * scrubPersonalData over every record, its bindings and its message for what slips past them.
 */
import { fstatSync } from 'node:fs';
import pino, { type ChildLoggerOptions, type DestinationStream, type Level, type Logger as PinoLogger } from 'pino';
import { PERSONAL_KEYS, PERSON_KEEP, REDACTED, scrubPersonalData } from './scrub.js';

export { REDACTED, scrubPersonalData, scrubString } from './scrub.js';

export interface LoggerOptions {
  level?: Level | 'silent';
  /** Bound as `component` on every line, like the children `logger.child({ component: 'server' })`. */
  component?: string;
  /** Where the JSON lines go; stdout unless a test hands in its own stream. */
  destination?: DestinationStream;
  /**
   * Start each line with its syslog priority, `<N>`, which journald reads (SyslogLevelPrefix=, on by
   * default) and strips, so `journalctl -p warning` finds warnings and worse and `-o cat` shows the
   * plain JSON. Default: when stdout is the journal (systemd's $JOURNAL_STREAM names stdout's device:inode).
   */
  journald?: boolean;
}

/** pino level → syslog priority (RFC 5424 §6.2.1): fatal 2 crit, error 3 err, warn 4 warning, info 6 info, debug and trace 7 debug. */
export function syslogPriority(level: number): number {
  if (level >= 60) return 2;
  if (level >= 50) return 3;
  if (level >= 40) return 4;
  if (level >= 30) return 6;
  return 7;
}

/** True when fd 1 is the stream systemd connected to the journal ($JOURNAL_STREAM = "device:inode", systemd.exec(5)). */
export function stdoutIsJournal(env: NodeJS.ProcessEnv = process.env): boolean {
  const m = /^(\d+):(\d+)$/.exec(env.JOURNAL_STREAM ?? '');
  if (!m) return false;
  try {
    const st = fstatSync(1);
    return String(st.dev) === m[1] && String(st.ino) === m[2];
  } catch {
    return false;
  }
}

/** A destination that prefixes every JSON line with `<N>` from its "level" (pino writes it first). */
function withSyslogPrefix(inner: DestinationStream): DestinationStream {
  return {
    write(line: string) {
      const level = /^\{"level":(\d+)/.exec(line)?.[1];
      inner.write(level === undefined ? line : `<${syslogPriority(Number(level))}>${line}`);
    },
  };
}

/** pino redact paths: each personal key at the top level and one level down, and everything under `person`. */
export const REDACT_PATHS: readonly string[] = [
  ...PERSONAL_KEYS.flatMap((key) => [key, `*.${key}`]),
  'person.*',
  '*.person.*',
];

const keep = new Set(PERSON_KEEP);

// fast-redact cannot say "person.* except idHash", so the censor looks at the path and lets those through.
function censor(value: unknown, path: string[]): unknown {
  const key = path[path.length - 1];
  const parent = path[path.length - 2];
  return parent === 'person' && key !== undefined && keep.has(key) ? value : REDACTED;
}

const scrubRecord = (obj: Record<string, unknown>): Record<string, unknown> =>
  scrubPersonalData(obj, { keys: PERSONAL_KEYS }) as Record<string, unknown>;

/** Two values of one binding key: a path for names (`server.store`), the newer value otherwise. */
function joinBinding(parent: unknown, child: unknown): unknown {
  if (typeof parent === 'string' && typeof child === 'string') return parent === child ? child : `${parent}.${child}`;
  return child;
}

export function createLogger(options: LoggerOptions = {}): PinoLogger {
  const logger = pino(
    {
      level: options.level ?? 'info',
      redact: { paths: [...REDACT_PATHS], censor },
      formatters: {
        log: scrubRecord,
        bindings: scrubRecord,
      },
      hooks: {
        // The message string and its interpolation arguments never reach formatters.log, and pino takes
        // the message of an Error logged alone from the Error itself.
        logMethod(args, method) {
          // One key per field: a key the logger already binds (component, window, device …) is not
          // written again from the call's object; the same value is dropped, a different one renamed.
          const first: unknown = args[0];
          if (first !== null && typeof first === 'object' && !(first instanceof Error) && !Array.isArray(first)) {
            const bound = this.bindings();
            const own = first as Record<string, unknown>;
            if (Object.keys(own).some((k) => Object.hasOwn(bound, k))) {
              const fixed: Record<string, unknown> = {};
              for (const [k, v] of Object.entries(own)) {
                if (!Object.hasOwn(bound, k)) fixed[k] = v;
                else if (!Object.is(bound[k], v) && JSON.stringify(bound[k]) !== JSON.stringify(v)) fixed[`logged_${k}`] = v;
              }
              args = [fixed, ...args.slice(1)] as typeof args;
            }
          }
          const scrubbed = args.map((arg, i) =>
            typeof arg === 'string' || i > 0 || arg instanceof Error ? scrubPersonalData(arg, { keys: PERSONAL_KEYS }) : arg,
          );
          method.apply(this, scrubbed as Parameters<typeof method>);
        },
      },
    },
    // Synchronous writes: the lines just before a crash are the ones an operator needs, and a hall's volume is small.
    (options.journald ?? (options.destination === undefined && stdoutIsJournal()))
      ? withSyslogPrefix(options.destination ?? pino.destination({ dest: 1, sync: true }))
      : (options.destination ?? pino.destination({ dest: 1, sync: true })),
  );
  // pino runs formatters.bindings only on the root's bindings, not on children's: make every child
  // (children inherit this own `child` through their prototype) pass it explicitly.
  // pino also appends a child's bindings to its parent's as text, so a key bound twice (component
  // server → store) would appear twice on one JSON line, which log tools read ambiguously. A key the
  // parent already has is merged into one path (`server.store`) and the child is made from the root.
  type RawChild = (this: PinoLogger, bindings: Record<string, unknown>, options?: ChildLoggerOptions) => PinoLogger;
  const rawChild = (Object.getPrototypeOf(logger) as { child: RawChild }).child;
  const root = logger;
  logger.child = function child(this: PinoLogger, bindings: Record<string, unknown>, childOptions?: ChildLoggerOptions) {
    const options = { ...childOptions, formatters: { bindings: scrubRecord, ...childOptions?.formatters } };
    const current = this.bindings();
    const repeated = Object.keys(bindings).filter((k) => Object.hasOwn(current, k));
    if (repeated.length === 0) return rawChild.call(this, bindings, options);
    const merged: Record<string, unknown> = { ...current };
    for (const [k, v] of Object.entries(bindings)) merged[k] = Object.hasOwn(current, k) ? joinBinding(current[k], v) : v;
    const made = rawChild.call(root, merged, options);
    if (childOptions?.level === undefined) made.level = this.level;
    return made;
  } as unknown as PinoLogger['child'];
  return options.component === undefined ? logger : logger.child({ component: options.component });
}
