import { EventEmitter } from 'node:events';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { memoryPair } from '../../../drivers/common/memory-transport.js';
import type { Transport } from '../../../drivers/common/transport.js';
import { SamCardEmulator } from '../../../drivers/idcard/emulator.js';
import { HidCardReader, HidTransport, type HidDevice } from '../../../drivers/idcard/hid-reader.js';
import {
  DEFAULT_HID_FRAMING,
  asInputReport,
  frameToReports,
  framingProblem,
  reportPayload,
  type HidReportFraming,
} from '../../../drivers/idcard/hid-report.js';
import { SamFramer, encodeCommand, encodeReply } from '../../../drivers/idcard/sam-codec.js';
import { TEST_CARDS } from '../../../drivers/idcard/test-cards.js';
import type { IdCardData } from '../../../drivers/idcard/card-data.js';
import { next } from './rig.js';

const framingArb: fc.Arbitrary<HidReportFraming> = fc
  .record({
    reportId: fc.integer({ min: 0, max: 255 }),
    inputHasReportId: fc.boolean(),
    reportSize: fc.integer({ min: 8, max: 130 }),
    payloadOffset: fc.integer({ min: 1, max: 4 }),
    withLength: fc.boolean(),
  })
  .map(({ withLength, ...f }) => ({ ...f, lengthOffset: withLength && f.payloadOffset >= 2 ? f.payloadOffset - 1 : null }))
  .filter((f) => framingProblem(f) === undefined);

describe('HID report framing (pure)', () => {
  it('wraps find-card in the default report: id 0, length 10, then the frame', () => {
    const [report, ...rest] = frameToReports(encodeCommand('findCard'), DEFAULT_HID_FRAMING);
    expect(rest).toEqual([]);
    expect(report!.length).toBe(65);
    expect(report!.subarray(0, 12)).toEqual(Buffer.from('000aaaaaaa966900032001' + '22', 'hex'));
    expect(report!.subarray(12).every((b) => b === 0)).toBe(true);
  });

  it('frames ⇄ reports round-trip when a length byte is present', () => {
    fc.assert(
      fc.property(framingArb.filter((f) => f.lengthOffset !== null), fc.uint8Array({ maxLength: 1500 }), (f, frame) => {
        const reports = frameToReports(frame, f);
        expect(reports.every((r) => r.length === f.reportSize && r[0] === f.reportId)).toBe(true);
        const back = Buffer.concat(reports.map((r) => reportPayload(asInputReport(r, f), f)));
        expect(back).toEqual(Buffer.from(frame));
      }),
    );
  });

  it('without a length byte, the padding is skipped by the SAM framer and the reply survives', () => {
    fc.assert(
      fc.property(framingArb, fc.integer({ min: 0, max: 255 }), fc.uint8Array({ maxLength: 1300 }), (f, sw3, data) => {
        const framing = { ...f, lengthOffset: null };
        const frame = encodeReply(sw3, data);
        const framer = new SamFramer('reply');
        const out = frameToReports(frame, framing).flatMap((r) => framer.push(reportPayload(asInputReport(r, framing), framing)));
        expect(out).toEqual([expect.objectContaining({ type: 'reply', sw3, data: Buffer.from(data) })]);
      }),
    );
  });

  it('never throws on random input reports', () => {
    fc.assert(
      fc.property(framingArb, fc.uint8Array({ maxLength: 200 }), (f, report) => {
        const p = reportPayload(report, f);
        expect(p.length).toBeLessThanOrEqual(report.length);
      }),
    );
  });

  it('rejects impossible framings at configuration time', () => {
    expect(framingProblem({ ...DEFAULT_HID_FRAMING, payloadOffset: 0 })).toBeDefined();
    expect(framingProblem({ ...DEFAULT_HID_FRAMING, lengthOffset: 3, payloadOffset: 2 })).toBeDefined();
    expect(framingProblem({ ...DEFAULT_HID_FRAMING, reportSize: 600 })).toBeDefined();
    expect(() => new HidTransport(() => new FakeHidReader(DEFAULT_HID_FRAMING, memoryPair()[0]), { payloadOffset: 0 })).toThrow(/framing/);
  });
});

/** Stands in for a node-hid device: unwraps output reports for the emulator, wraps its replies into input reports. */
class FakeHidReader extends EventEmitter implements HidDevice {
  readonly written: Buffer[] = [];
  closed = false;
  constructor(
    private readonly framing: HidReportFraming,
    private readonly toEmulator: Transport,
  ) {
    super();
    toEmulator.onData((chunk) => {
      for (const r of frameToReports(chunk, framing)) this.emit('data', asInputReport(r, framing));
    });
  }
  write(values: number[] | Buffer): number {
    const report = Buffer.from(values);
    this.written.push(report);
    // Output reports always start with the report id.
    void this.toEmulator.write(reportPayload(report, { ...this.framing, inputHasReportId: true }));
    return report.length;
  }
  close(): void {
    this.closed = true;
  }
}

describe('HidCardReader with a fake HID device and the emulator', () => {
  let cleanup: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const c of cleanup) await c();
    cleanup = [];
  });

  const framings: Array<[string, HidReportFraming]> = [
    ['default framing', DEFAULT_HID_FRAMING],
    ['numbered 33-byte reports, no length byte', { reportId: 2, inputHasReportId: true, reportSize: 33, lengthOffset: null, payloadOffset: 1 }],
  ];

  it.each(framings)('reads a card through %s', async (_label, framing) => {
    const [host, device] = memoryPair('hid');
    // A HID reader pads the last report of a whole frame; without a length byte, padding mid-frame
    // would corrupt it, so the emulator must hand the fake device whole frames.
    const emulator = new SamCardEmulator(device, { lineTiming: false, pieces: framing.lengthOffset === null ? 1 : 3 });
    await emulator.start();
    await host.open();
    const fake = new FakeHidReader(framing, host);
    const reader = new HidCardReader(() => fake, { framing, timeoutMs: 1000 });
    cleanup.push(() => reader.close(), () => emulator.close(), () => host.close());
    emulator.placeCard(TEST_CARDS.chen);
    const got = next<[IdCardData]>(reader, 'card');
    await reader.start();
    const [card] = await got;
    expect(card.idNumber).toBe('440305200102281525');
    expect(card.photo.equals(TEST_CARDS.chen.photo)).toBe(true);
    expect(fake.written.every((r) => r.length === framing.reportSize && r[0] === framing.reportId)).toBe(true);
    await reader.close();
    expect(fake.closed).toBe(true);
  });
});
