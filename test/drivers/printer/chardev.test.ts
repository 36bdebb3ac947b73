// The usblp character-device transport, exercised on a regular file (write-only) and a FIFO (read-back).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { isHallqError } from '../../../drivers/common/error.js';
import { ChardevTransport } from '../../../drivers/printer/chardev-transport.js';
import { EscPosDecoder } from '../../../drivers/printer/decoder.js';
import { EscPosPrinter } from '../../../drivers/printer/driver.js';
import { encodeDocument } from '../../../drivers/printer/encoder.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hallq-lp-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const doc = { blocks: [{ type: 'text' as const, text: '公积金 C007', align: 'center' as const }, { type: 'cut' as const }] };

it('write-only (the default): the printer writes exactly the encoded bytes and reports status unknown', async () => {
  const path = join(dir, 'lp0');
  writeFileSync(path, '');
  const transport = new ChardevTransport({ path });
  expect(transport.bidirectional).toBe(false);
  const printer = new EscPosPrinter(transport);
  await printer.open();
  expect(await printer.status()).toEqual({ type: 'unknown', reason: 'write-only' });
  await printer.print(doc);
  await printer.close();
  const written = readFileSync(path);
  expect(written.equals(encodeDocument(doc, { encoding: 'gbk' }).bytes)).toBe(true);
  const tickets = new EscPosDecoder().push(written).filter((e) => e.type === 'ticket');
  expect(tickets).toHaveLength(1);
});

it('read-back: bytes the device sends are delivered by polling', async () => {
  const path = join(dir, 'lp-fifo');
  execFileSync('mkfifo', [path]);
  const transport = new ChardevTransport({ path, readBack: true, readPollMs: 5 });
  await transport.open();
  const got = new Promise<Buffer>((resolve) => transport.onData(resolve));
  const printerSide = await open(path, 'w');
  await printerSide.write(Buffer.of(0x12));
  expect([...(await got)]).toEqual([0x12]);
  await printerSide.close();
  const closed = new Promise<Error | undefined>((resolve) => transport.onClose(resolve));
  await transport.close();
  expect(await closed).toBeUndefined();
  expect(transport.isOpen).toBe(false);
});

it('a missing device is TRANSPORT_OPEN_FAILED; writing when closed is TRANSPORT_CLOSED', async () => {
  const transport = new ChardevTransport({ path: join(dir, 'no-such-lp') });
  const openErr: unknown = await transport.open().catch((e: unknown) => e);
  expect(isHallqError(openErr, 'TRANSPORT_OPEN_FAILED')).toBe(true);
  const writeErr: unknown = await transport.write(Buffer.of(1)).catch((e: unknown) => e);
  expect(isHallqError(writeErr, 'TRANSPORT_CLOSED')).toBe(true);
});
