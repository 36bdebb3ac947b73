/**
 * What a device on a shared half-duplex RS-485 line sees of the bus: one exchange at a time,
 * scheduled by priority. LED screens and keypads code against this; the bus scheduler implements it.
 */

/** 0: the called window's screen (never waits behind anything); 1: other screen updates; 2: keypad polls. */
export type BusPriority = 0 | 1 | 2;

/**
 * Finds a complete reply in the bytes received so far. Returns the reply and how many bytes it used
 * (leading garbage included), or undefined while more bytes are needed. Never throws.
 */
export type ReplyFramer = (received: Buffer) => { frame: Buffer; consumed: number } | undefined;

export interface BusExchange {
  frame: Uint8Array;
  /** How to recognise the reply; absent means the device sends none (broadcast, fire and forget). */
  reply?: ReplyFramer;
  timeoutMs?: number;
  retries?: number;
  priority: BusPriority;
  /**
   * Coalescing key: a queued exchange with the same key is replaced by a newer one, so a screen
   * whose content changed twice while waiting is written once, with the newest content.
   */
  key?: string;
}

export interface BusPort {
  /** Resolves with the reply frame (undefined when none was expected); rejects with HallqError DEVICE_TIMEOUT after the retries. */
  exchange(x: BusExchange): Promise<Buffer | undefined>;
}
