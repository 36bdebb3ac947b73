/**
 * The one error type of hallq. Every failure that crosses a module boundary is a
 * HallqError with a stable code, so callers switch on codes, never on messages.
 * It lives under drivers/ because drivers may not import src/, while src/ may import drivers/.
 */
export type ErrorCode =
  // configuration and input
  | 'CONFIG_INVALID'
  | 'CONFIG_NOT_FOUND'
  /** The file is there but this user may not read it (EACCES, EPERM). */
  | 'CONFIG_UNREADABLE'
  | 'PAYLOAD_INVALID'
  | 'PAYLOAD_TOO_LARGE'
  // storage
  | 'STORE_CORRUPT'
  | 'STORE_IO'
  /** Another process (a second `hallq server`) holds the database's lock. */
  | 'STORE_LOCKED'
  /** A file or folder a command was given (not the database) cannot be read, written or created. */
  | 'FILE_IO'
  // transports and devices
  | 'TRANSPORT_CLOSED'
  | 'TRANSPORT_OPEN_FAILED'
  /** A listener could not bind its address (the port taken, or not allowed). */
  | 'LISTEN_FAILED'
  /** Another hall server (on another database) serves this hall on the broker: this one does not connect. */
  | 'SERVER_RUNNING'
  /** A stop (SIGTERM) came while the daemon was starting: the start ends, what it opened is closed. */
  | 'START_ABORTED'
  | 'DEVICE_TIMEOUT'
  | 'DEVICE_NAK'
  | 'DEVICE_CHECKSUM'
  | 'DEVICE_OFFLINE'
  | 'PAPER_OUT'
  | 'CARD_ABSENT'
  | 'CARD_REMOVED'
  | 'CARD_READ_FAILED'
  | 'ENCODING_UNSUPPORTED'
  | 'SMS_FAILED'
  | 'AUDIO_FAILED'
  // bus and requests
  | 'REQUEST_TIMEOUT'
  | 'NOT_CONNECTED'
  /** The server answered that it could not save the command (its store failing: STORE_IO or STORE_CORRUPT there). */
  | 'SERVER_CANNOT_SAVE'
  /** The sender's identity may not do this (e.g. an agent without the window's keypad). */
  | 'FORBIDDEN'
  | 'INTERNAL';

export class HallqError extends Error {
  override readonly name = 'HallqError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Readonly<Record<string, unknown>>,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function isHallqError(e: unknown, code?: ErrorCode): e is HallqError {
  return e instanceof HallqError && (code === undefined || e.code === code);
}
