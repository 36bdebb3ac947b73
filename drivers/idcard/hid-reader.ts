/**
 * USB HID ID-card readers: the same SAM frames, carried in HID reports. A HidTransport turns
 * reports into a byte stream (and frames into reports), so the SAM driver runs unchanged on top.
 * The node-hid device sits behind a tiny interface so tests hand in a fake.
 */
import type * as NodeHid from 'node-hid';
import { HallqError } from '../common/error.js';
import { Listeners, type Transport } from '../common/transport.js';
import { SamCardReader, type SamReaderOptions } from './driver.js';
import { DEFAULT_HID_FRAMING, frameToReports, framingProblem, reportPayload, type HidReportFraming } from './hid-report.js';

/** The part of node-hid's HID class this driver uses. */
export interface HidDevice {
  write(values: number[] | Buffer): number;
  on(event: 'data', listener: (data: Buffer) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  removeAllListeners(event?: string): unknown;
  close(): void;
}

export type HidOpener = () => HidDevice | Promise<HidDevice>;

/** Opens a real device through node-hid, loaded only when asked for (a native module). */
export function nodeHidOpener(target: { path: string } | { vendorId: number; productId: number }): HidOpener {
  return async () => {
    // node-hid is an optional dependency (only HID readers need it, and it needs libusb/libudev): when it is
    // absent or cannot load, say so instead of a module-resolution stack trace.
    let hid: typeof NodeHid;
    try {
      hid = await import('node-hid');
    } catch (err) {
      throw new HallqError('TRANSPORT_OPEN_FAILED', `cannot open HID reader: the optional npm package node-hid is not installed or cannot load (${err instanceof Error ? err.message.split('\n')[0] : String(err)}); install it with npm, and libusb-1.0-0 and libudev1 from Debian`, {}, { cause: err });
    }
    try {
      return 'path' in target ? new hid.HID(target.path) : new hid.HID(target.vendorId, target.productId);
    } catch (err) {
      throw new HallqError('TRANSPORT_OPEN_FAILED', `cannot open HID reader: ${err instanceof Error ? err.message : String(err)}`, {}, { cause: err });
    }
  };
}

export class HidTransport implements Transport {
  private device: HidDevice | undefined;
  private readonly data = new Listeners<[Buffer]>();
  private readonly closed = new Listeners<[Error | undefined]>();
  private readonly framing: HidReportFraming;

  constructor(
    private readonly opener: HidOpener,
    framing: Partial<HidReportFraming> = {},
    readonly description = 'hid',
  ) {
    this.framing = { ...DEFAULT_HID_FRAMING, ...framing };
    const problem = framingProblem(this.framing);
    if (problem) throw new HallqError('CONFIG_INVALID', `HID report framing: ${problem}`, { framing: this.framing });
  }

  get isOpen(): boolean {
    return this.device !== undefined;
  }

  async open(): Promise<void> {
    if (this.device) return;
    const device = await this.opener();
    device.on('data', (report: Buffer) => {
      const payload = reportPayload(report, this.framing);
      if (payload.length > 0) this.data.emit(payload);
    });
    device.on('error', (err: Error) => this.drop(err));
    this.device = device;
  }

  write(bytes: Uint8Array): Promise<void> {
    const device = this.device;
    if (!device) return Promise.reject(new HallqError('TRANSPORT_CLOSED', `${this.description} is closed`));
    try {
      for (const report of frameToReports(bytes, this.framing)) device.write(report);
      return Promise.resolve();
    } catch (err) {
      return Promise.reject(new HallqError('TRANSPORT_CLOSED', `write to ${this.description} failed`, {}, { cause: err }));
    }
  }

  close(): Promise<void> {
    this.drop(undefined);
    return Promise.resolve();
  }

  onData(fn: (chunk: Buffer) => void): () => void {
    return this.data.add(fn);
  }

  onClose(fn: (error?: Error) => void): () => void {
    return this.closed.add(fn);
  }

  private drop(err: Error | undefined): void {
    const device = this.device;
    if (!device) return;
    this.device = undefined;
    device.removeAllListeners('data');
    device.removeAllListeners('error');
    try {
      device.close();
    } catch {
      /* already gone (unplugged) */
    }
    this.closed.emit(err);
  }
}

export interface HidReaderOptions extends SamReaderOptions {
  framing?: Partial<HidReportFraming>;
  description?: string;
}

/** SamCardReader over a HID device. */
export class HidCardReader extends SamCardReader {
  constructor(opener: HidOpener, options: HidReaderOptions = {}) {
    super(new HidTransport(opener, options.framing, options.description), options);
  }
}
