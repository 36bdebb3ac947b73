/**
 * What a device on a shared half-duplex RS-485 line sees of the bus: one exchange at a time,
 * scheduled by priority. LED screens and keypads code against this; the bus scheduler implements it.
 */
import type { ErrorCode } from '../common/error.js';

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
  /**
   * Optional judgement of a framed reply: return an error code (e.g. 'DEVICE_CHECKSUM', 'DEVICE_NAK')
   * to count the attempt as failed, undefined to accept it. A failed attempt is retried like a timeout;
   * when the retries run out the exchange rejects with this code. Never throws.
   */
  check?: (reply: Buffer) => ErrorCode | undefined;
  timeoutMs?: number;
  retries?: number;
  priority: BusPriority;
  /**
   * Coalescing key: a queued exchange with the same key is replaced by a newer one, so a screen
   * whose content changed twice while waiting is written once, with the newest content.
   * The replaced exchange's promise settles exactly as the newer one's does.
   */
  key?: string;
}

export interface BusPort {
  /** Resolves with the reply frame (undefined when none was expected); rejects with HallqError DEVICE_TIMEOUT after the retries. */
  exchange(x: BusExchange): Promise<Buffer | undefined>;
  /**
   * Every chunk heard on the line, whether or not an exchange is waiting for it. For push-mode devices
   * that talk unprompted (a keypad alone on its line). Optional: a BusPort may not offer it.
   */
  listen?(listener: (chunk: Buffer) => void): () => void;
}
