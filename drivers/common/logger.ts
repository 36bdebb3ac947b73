/**
 * The logging surface drivers see. pino satisfies it; tests pass silentLogger or a
 * recording logger. Drivers never import pino, so they stay free of src/ and of I/O policy.
 */
export interface Logger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  child(bindings: Record<string, unknown>): Logger;
}

export const silentLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  child() {
    return silentLogger;
  },
};

export interface LogRecord {
  level: 'debug' | 'info' | 'warn' | 'error';
  bindings: Record<string, unknown>;
  obj: object;
  msg?: string;
}

/** A logger that keeps every record, for tests that assert on what was (or was not) logged. */
export function recordingLogger(records: LogRecord[] = [], bindings: Record<string, unknown> = {}): Logger & { records: LogRecord[] } {
  const at = (level: LogRecord['level']) => (obj: object, msg?: string) => {
    records.push({ level, bindings, obj, ...(msg === undefined ? {} : { msg }) });
  };
  return {
    records,
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    child: (b) => recordingLogger(records, { ...bindings, ...b }),
  };
}

/** Hex dump for debug logs only (DESIGN §9). */
export function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex').replace(/(..)(?=.)/g, '$1 ');
}
