/**
 * A byte pipe to a device. Drivers take one injected, so a test can hand in an in-memory
 * pair or a real pseudo-terminal, and production hands in serial, TCP or a character device.
 */
export interface Transport {
  /** Human-readable, safe to log (a path or host:port). */
  readonly description: string;
  readonly isOpen: boolean;
  open(): Promise<void>;
  /** Resolves once the bytes have been handed to the OS (drained for serial). */
  write(data: Uint8Array): Promise<void>;
  close(): Promise<void>;
  /** Returns an unsubscribe function. */
  onData(listener: (chunk: Buffer) => void): () => void;
  /** Fired once when the link goes away: error for an unplug, undefined for a requested close. */
  onClose(listener: (error?: Error) => void): () => void;
}

/** Small listener set shared by the transport implementations. */
export class Listeners<T extends unknown[]> {
  private readonly set = new Set<(...args: T) => void>();
  add(fn: (...args: T) => void): () => void {
    this.set.add(fn);
    return () => this.set.delete(fn);
  }
  emit(...args: T): void {
    for (const fn of [...this.set]) fn(...args);
  }
}
