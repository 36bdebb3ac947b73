/**
 * SAM frames inside USB HID reports. ⚠ No public spec exists for any vendor's layout, so every
 * position is configuration; the defaults are a guess to be checked against a real reader
 * (capture with `usbhid-dump` or Wireshark's usbmon). Pure: frames ⇄ reports, never throws on bytes.
 */

export interface HidReportFraming {
  /** Written as the first byte of every output report (0 for devices with unnumbered reports: hidapi still wants it). */
  reportId: number;
  /** Whether input reports arrive with the report id as their first byte (hidraw does so for numbered reports). */
  inputHasReportId: boolean;
  /** Size of an output report as written, report id byte included. */
  reportSize: number;
  /**
   * Offset (report id byte = 0) of a byte holding the number of payload bytes in this report;
   * null when there is none: the payload then fills the report and trailing padding is left for
   * the SAM framer to skip (it resyncs on the preamble).
   */
  lengthOffset: number | null;
  /** Offset (report id byte = 0) of the first payload byte. */
  payloadOffset: number;
}

/** ⚠ A common shape for 64-byte HID readers: id 0, length byte, then payload. Unverified. */
export const DEFAULT_HID_FRAMING: Readonly<HidReportFraming> = {
  reportId: 0x00,
  inputHasReportId: false,
  reportSize: 65,
  lengthOffset: 1,
  payloadOffset: 2,
};

export function payloadCapacity(f: HidReportFraming): number {
  return Math.max(0, f.reportSize - f.payloadOffset);
}

/** Checks a framing once, at configuration time. Returns a problem or undefined. */
export function framingProblem(f: HidReportFraming): string | undefined {
  if (!Number.isInteger(f.reportSize) || f.reportSize < 2 || f.reportSize > 4096) return 'reportSize must be an integer in 2..4096';
  if (!Number.isInteger(f.payloadOffset) || f.payloadOffset < 1 || f.payloadOffset >= f.reportSize) return 'payloadOffset must lie after the report id and inside the report';
  if (f.lengthOffset !== null && (!Number.isInteger(f.lengthOffset) || f.lengthOffset < 1 || f.lengthOffset >= f.payloadOffset))
    return 'lengthOffset must lie between the report id and the payload';
  if (f.lengthOffset !== null && payloadCapacity(f) > 255) return 'a one-byte length cannot cover more than 255 payload bytes';
  if (!Number.isInteger(f.reportId) || f.reportId < 0 || f.reportId > 255) return 'reportId must be a byte';
  return undefined;
}

/** Cuts one SAM frame (or any bytes) into output reports. */
export function frameToReports(frame: Uint8Array, f: HidReportFraming): Buffer[] {
  const capacity = payloadCapacity(f);
  const reports: Buffer[] = [];
  if (capacity === 0) return reports;
  for (let at = 0; at < frame.length; at += capacity) {
    const part = frame.subarray(at, at + capacity);
    const report = Buffer.alloc(f.reportSize);
    report[0] = f.reportId;
    if (f.lengthOffset !== null) report[f.lengthOffset] = part.length;
    report.set(part, f.payloadOffset);
    reports.push(report);
  }
  return reports;
}

/** The payload bytes of one input report; a short or inconsistent report yields what it can. */
export function reportPayload(report: Uint8Array, f: HidReportFraming): Buffer {
  const shift = f.inputHasReportId ? 0 : 1;
  const start = f.payloadOffset - shift;
  if (start < 0 || start >= report.length) return Buffer.alloc(0);
  let end = report.length;
  if (f.lengthOffset !== null) {
    const lengthAt = f.lengthOffset - shift;
    const n = lengthAt >= 0 ? (report[lengthAt] ?? 0) : 0;
    end = Math.min(report.length, start + n);
  }
  return Buffer.from(report.subarray(start, end));
}

/** An output report as the device would send it back: drop the report id byte when inputs come without it. */
export function asInputReport(report: Uint8Array, f: HidReportFraming): Buffer {
  return Buffer.from(f.inputHasReportId ? report : report.subarray(1));
}
