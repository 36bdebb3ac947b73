/**
 * The device side of a shared RS-485 line, for emulators. Every emulated device on a line sees every
 * byte the host sends (as on the real wire), keeps its own framer, and answers only frames addressed to it.
 * The line emulator (drivers/rs485) feeds chunks to every device and transmits their replies with
 * real baud-rate timing, one talker at a time.
 */
export interface EmulatedBusDevice {
  /** For logs and the technician's emulator listing, e.g. "keypad@3" or "screen-bx@12". */
  readonly name: string;
  /**
   * Bytes heard on the line (possibly partial frames, garbage, other devices' traffic). Returns replies to
   * send, in order: a Buffer is sent as soon as the request has fully arrived; a DelayedReply waits
   * delayMs more first (a slow device). Never throws.
   */
  hear(chunk: Buffer): (Buffer | DelayedReply)[];
  /** Bytes this device wants to send unprompted (a push-mode keypad's key press); the line sends them when the bus is idle. */
  onSpontaneous?(listener: (frame: Buffer) => void): () => void;
  /**
   * Which power-up the device is in, undefined while it has no power; absent: always on. The line sends a
   * reply only while the device is still in the power-up that made it, and stops one mid-way when the device
   * loses power (the bytes already on the wire stay sent).
   */
  powerEpoch?(): number | undefined;
}

/** A reply the device sends only after an extra processing delay (for the "slow reply" fault). */
export interface DelayedReply {
  bytes: Buffer;
  delayMs: number;
}
