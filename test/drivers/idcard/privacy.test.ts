import { afterEach, expect, it } from 'vitest';
import { hex, recordingLogger, type LogRecord } from '../../../drivers/common/logger.js';
import type { HallqError } from '../../../drivers/common/error.js';
import { TEST_CARDS } from '../../../drivers/idcard/test-cards.js';
import { next, openRig, type Rig } from './rig.js';

let rig: Rig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

/** Every way a field could leak into a record: as text, as UCS-2 hex (a frame dump), as hex or base64 of bytes. */
function leaks(records: LogRecord[], secrets: string[], blobs: Buffer[]): string[] {
  const dump = JSON.stringify(records).toLowerCase();
  const needles = [
    ...secrets.flatMap((s) => [s.toLowerCase(), hex(Buffer.from(s, 'utf16le')), Buffer.from(s, 'utf16le').toString('hex')]),
    // Any 12-byte window of the blobs, away from the planted preamble at offset 100.
    ...blobs.flatMap((b) => [0, 200, 500, 1000].map((at) => b.subarray(at, at + 12)).flatMap((w) => [hex(w), w.toString('hex'), w.toString('base64').toLowerCase()])),
  ];
  return needles.filter((n) => dump.includes(n));
}

it('never logs name, ID number, address, photo or fingerprint, at any level, on success or failure', async () => {
  const log = recordingLogger();
  rig = await openRig({ logger: log, reader: { timeoutMs: 300 } });
  const { reader, emulator } = rig;
  const errors: HallqError[] = [];
  reader.on('error', (e) => errors.push(e));

  // A polled read.
  emulator.placeCard(TEST_CARDS.zhang);
  const card = next(reader, 'card');
  await reader.start();
  await card;
  await reader.stop();

  // One-shot reads, with fingerprint and appended address, then each failure path.
  emulator.placeCard(TEST_CARDS.li);
  await reader.readCard();
  await reader.readAppendedAddress();
  emulator.on('request', (name) => {
    if (name === 'readText') emulator.inject({ type: 'bad-checksum' }, 1);
  });
  await expect(reader.readCard()).rejects.toMatchObject({ code: 'DEVICE_CHECKSUM' });
  emulator.removeAllListeners('request');
  emulator.inject({ type: 'removed-mid-read', reply: 'silence' });
  await expect(reader.readCard()).rejects.toMatchObject({ code: 'CARD_REMOVED' });

  // The logger did see debug traffic, hex dumps included: the test is not passing on silence.
  expect(log.records.some((r) => r.level === 'debug' && 'bytes' in r.obj)).toBe(true);
  expect(log.records.some((r) => r.level === 'warn' || r.level === 'info')).toBe(true);

  const secrets = [TEST_CARDS.zhang, TEST_CARDS.li].flatMap((c) => [c.name, c.idNumber, c.address, c.issuer, c.appendedAddress ?? c.name]);
  const blobs = [TEST_CARDS.zhang.photo, TEST_CARDS.li.photo, TEST_CARDS.li.fingerprint];
  expect(leaks(log.records, secrets, blobs)).toEqual([]);
  // Nor in the error messages that the agent will log.
  const messages = JSON.stringify(errors.map((e) => [e.message, e.details]));
  for (const s of secrets) expect(messages).not.toContain(s);
});

it('the leak detector would catch a leak (guards the test above)', () => {
  const log = recordingLogger();
  log.debug({ bytes: hex(Buffer.concat([Buffer.from('aaaaaa9669', 'hex'), Buffer.from(TEST_CARDS.zhang.name, 'utf16le')])) });
  log.info({ photo: TEST_CARDS.zhang.photo.toString('base64') });
  expect(leaks(log.records, [TEST_CARDS.zhang.name], [TEST_CARDS.zhang.photo]).length).toBeGreaterThanOrEqual(2);
});
