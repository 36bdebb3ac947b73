import { execFile, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SerialTransport } from '../../drivers/common/serial-transport.js';
import { EscPosPrinter } from '../../drivers/printer/driver.js';

function hallq(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['bin/hallq.js', ...args], { encoding: 'utf8' }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

/** Resolves with the stdout so far once it matches `re` (the event, not a sleep). */
function stdoutMatching(child: ChildProcessWithoutNullStreams, re: RegExp, seen: { out: string }): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    const check = () => {
      const m = seen.out.match(re);
      if (!m) return;
      child.stdout.off('data', check);
      child.off('exit', early);
      resolve(m);
    };
    const early = (code: number | null) => reject(new Error(`exited early (${String(code)}): ${seen.out}`));
    child.stdout.on('data', check);
    child.once('exit', early);
    check();
  });
}

function configWithPrinter(path: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'hallq-cli-devices-'));
  const file = join(dir, 'hall.yaml');
  writeFileSync(
    file,
    `hall: { id: cli-hall, name: { zh: 测试大厅, en: Test hall } }
hours: { weekly: { mon: [{ from: "09:00", to: "17:00" }] } }
services: [{ id: social, name: { zh: 社保, en: Social }, prefix: A }]
windows: [{ id: 1, kind: general, tiers: [[social]] }]
agents:
  - id: agent-1
    devices:
      printer: { transport: serial, path: ${path}, baudRate: 115200 }
`,
  );
  return file;
}

describe('hallq emulate and hallq devices', () => {
  let child: ChildProcessWithoutNullStreams | undefined;
  afterAll(() => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
  });

  it('emulates a printer on a pty that a real driver reads as ok, and hallq devices reports it ok', async () => {
    const emu = spawn(process.execPath, ['bin/hallq.js', 'emulate', 'printer', '--pty'], { stdio: ['pipe', 'pipe', 'pipe'] });
    child = emu;
    const seen = { out: '' };
    emu.stdout.setEncoding('utf8');
    emu.stdout.on('data', (d: string) => (seen.out += d));
    const [, hostPath] = await stdoutMatching(emu, /point the driver \(or the agents\[\]\.devices config\) at: (\S+)/, seen);
    expect(hostPath).toMatch(/^\/dev\/pts\/\d+$/);

    // A real driver on the printed path: status ok, and what it prints is decoded on the emulator's console.
    const printer = new EscPosPrinter(new SerialTransport({ path: hostPath as string, baudRate: 115200 }), { statusTimeoutMs: 1000 });
    await printer.open();
    const reading = await printer.status();
    expect(reading).toEqual({ type: 'known', status: { online: true, paper: 'ok' } });
    expect(printer.health).toBe('ok');
    await printer.print({ blocks: [{ type: 'text', text: '测试 A042' }, { type: 'qr', data: 'https://h/t/1' }, { type: 'cut' }] });
    await stdoutMatching(emu, /🎫 ticket printed \(full cut\):\n {2}│ 测试 A042\n {2}│ \[QR https:\/\/h\/t\/1\]/, seen);
    await printer.close();

    // Paper out, typed on the emulator's stdin: a driver now reads it.
    emu.stdin.write('paper out\n');
    await stdoutMatching(emu, /printer: paper out/, seen);

    const ok = await hallq('devices', '--json', '--config', configWithPrinter(hostPath as string));
    const report = JSON.parse(ok.stdout) as { devices: { name: string; state: string; detail?: string }[]; ports: unknown[]; stableNames: unknown[] };
    // Named paper out (the tryout: only `offline`, as if the printer were gone), in the JSON and in words.
    expect(report.devices).toEqual([{ name: 'printer', kind: 'escpos-serial', state: 'offline', reason: 'paper-out', detail: 'paper out' }]);
    expect(ok.code).toBe(1);
    const words = await hallq('devices', '--config', configWithPrinter(hostPath as string));
    expect(words.stdout).toMatch(/^printer +escpos-serial +offline +paper out \(缺纸\) +paper out$/m);

    // The cover opened for a roll change (paper in): cover open, not paper out.
    emu.stdin.write('paper ok\n');
    await stdoutMatching(emu, /printer: paper ok, online, status/, seen);
    emu.stdin.write('cover open\n');
    await stdoutMatching(emu, /printer: paper ok, online, cover open/, seen);
    const cover = await hallq('devices', '--json', '--config', configWithPrinter(hostPath as string));
    expect(JSON.parse(cover.stdout)).toMatchObject({ devices: [{ name: 'printer', state: 'offline', reason: 'cover-open', detail: 'cover open' }] });
    const coverWords = await hallq('devices', '--config', configWithPrinter(hostPath as string));
    expect(coverWords.stdout).toMatch(/^printer +escpos-serial +offline +cover open \(纸仓盖打开\) +cover open$/m);
    emu.stdin.write('cover closed\n');
    await stdoutMatching(emu, /cover open[\s\S]*printer: paper ok, online, status replies normal/, seen);
    emu.stdin.write('paper ok\n');
    await stdoutMatching(emu, /printer: paper ok/, seen);
    const back = await hallq('devices', '--json', '--config', configWithPrinter(hostPath as string));
    expect(JSON.parse(back.stdout)).toMatchObject({ devices: [{ name: 'printer', state: 'ok' }] });
    expect(back.code).toBe(0);

    const exited = new Promise<number | null>((resolve) => emu.once('exit', (code) => resolve(code)));
    emu.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(seen.out).toContain('hallq emulate printer stopped.');
  });

  it('reports a configured printer whose path is missing as offline and exits 1', async () => {
    const r = await hallq('devices', '--json', '--config', configWithPrinter('/dev/hallq-test-missing/printer'));
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as { devices: { name: string; state: string; detail?: string }[] };
    expect(report.devices[0]).toMatchObject({ name: 'printer', state: 'offline' });
    expect(report.devices[0]?.detail).toContain('/dev/hallq-test-missing/printer does not exist');
  });
});

describe('the print-test ticket', () => {
  it('is stamped in hall time with its offset, not in UTC', async () => {
    const { testTicket } = await import('../../src/cli/devices.js');
    const texts = (offset: number) => testTicket(new Date('2026-11-30T17:30:05Z'), offset).blocks.flatMap((b) => (b.type === 'text' ? [b.text] : []));
    expect(texts(480)).toContain('2026-12-01 01:30:05 UTC+08:00');
    expect(texts(-330)).toContain('2026-11-30 12:00:05 UTC-05:30');
  });

  it('leaves the QR its quiet zone: white rows above and below it in the drawn ticket', async () => {
    const { testTicket } = await import('../../src/cli/devices.js');
    const { encodeDocument } = await import('../../drivers/printer/encoder.js');
    const { EscPosDecoder } = await import('../../drivers/printer/decoder.js');
    const { renderTicketPng } = await import('../../drivers/printer/preview.js');
    const { blockDots } = await import('../../drivers/printer/mechanics.js');
    const { loadImage, createCanvas } = await import('@napi-rs/canvas');
    const decoded = new EscPosDecoder({ encoding: 'gbk' }).push(encodeDocument(testTicket(), { encoding: 'gbk' }).bytes).find((e) => e.type === 'ticket');
    if (decoded?.type !== 'ticket') throw new Error('no ticket');
    const blocks = decoded.ticket.blocks;
    const i = blocks.findIndex((b) => b.type === 'qr');
    const qr = blocks[i];
    if (qr?.type !== 'qr') throw new Error('no QR');
    const top = blocks.slice(0, i).reduce((a, b) => a + blockDots(b), 0);
    const bottom = top + blockDots(qr);
    const img = await loadImage(renderTicketPng(decoded.ticket));
    const ctx = createCanvas(img.width, img.height).getContext('2d');
    ctx.drawImage(img, 0, 0);
    const inked = (y: number) => ctx.getImageData(0, y, img.width, 1).data.some((v, k) => k % 4 !== 3 && v < 128);
    const quiet = 4 * qr.moduleSize;
    for (let y = top - quiet; y < top; y++) expect(inked(y), `row ${y} above the QR`).toBe(false);
    for (let y = bottom; y < bottom + quiet; y++) expect(inked(y), `row ${y} below the QR`).toBe(false);
    expect(inked(top)).toBe(true);
  });
});

describe('the print-test ticket as drawn', () => {
  it('keeps every text line off the paper edge, centred as the others: the 中文 GBK line included (issue 13)', async () => {
    const { testTicket } = await import('../../src/cli/devices.js');
    const { encodeDocument } = await import('../../drivers/printer/encoder.js');
    const { EscPosDecoder } = await import('../../drivers/printer/decoder.js');
    const { renderTicketPng } = await import('../../drivers/printer/preview.js');
    const { blockDots } = await import('../../drivers/printer/mechanics.js');
    const { loadImage, createCanvas } = await import('@napi-rs/canvas');
    const decoded = new EscPosDecoder({ encoding: 'gbk' }).push(encodeDocument(testTicket(), { encoding: 'gbk' }).bytes).find((e) => e.type === 'ticket');
    if (decoded?.type !== 'ticket') throw new Error('no ticket');
    const img = await loadImage(renderTicketPng(decoded.ticket));
    const ctx = createCanvas(img.width, img.height).getContext('2d');
    ctx.drawImage(img, 0, 0);
    let top = 0;
    const margins: { text: string; left: number; right: number }[] = [];
    for (const b of decoded.ticket.blocks) {
      const h = blockDots(b);
      if (b.type === 'text' && h > 0) {
        const d = ctx.getImageData(0, top, img.width, h).data;
        let left = img.width;
        let right = -1;
        for (let y = 0; y < h; y++)
          for (let x = 0; x < img.width; x++)
            if ((d[(y * img.width + x) * 4] ?? 255) < 128) {
              left = Math.min(left, x);
              right = Math.max(right, x);
            }
        margins.push({ text: b.text, left, right: img.width - 1 - right });
      }
      top += h;
    }
    const gbk = margins.find((m) => m.text.startsWith('中文 GBK'));
    expect(gbk, 'the 中文 GBK line is drawn').toBeDefined();
    for (const m of margins) {
      expect(m.left, `${m.text}: left margin`).toBeGreaterThanOrEqual(24);
      // Centred: the margins differ by less than one half-width character (12 dots).
      expect(Math.abs(m.left - m.right), `${m.text}: left ${m.left}, right ${m.right}`).toBeLessThan(12);
    }
  });
});

describe('hallq print-test --png', () => {
  it('draws the test ticket as the printer would print it (576 dots wide), without a printer', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'hallq-png-')), 'test-ticket.png');
    const r = await hallq('print-test', '--png', file);
    expect(r).toMatchObject({ code: 0, stdout: `test ticket drawn: ${file}\n` });
    const { loadImage } = await import('@napi-rs/canvas');
    const img = await loadImage(file);
    expect(img.width).toBe(576);
    expect(img.height).toBeGreaterThan(400);
  });
});
