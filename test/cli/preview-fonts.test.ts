/**
 * issue 13: a ticket preview drawn where no font can draw its text says so, naming fonts-noto-cjk,
 * instead of "test ticket drawn" over a PNG with a QR code and no words. The real case hides the
 * system's fonts from one process (a mount namespace with a tmpfs over /usr/share/fonts; root only).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { previewFontProblem, previewFontWarning } from '../../drivers/printer/preview.js';
import { scratch } from '../helpers/cli.js';

const dir = scratch('preview-fonts');
const canHide = process.getuid?.() === 0 && spawnSync('unshare', ['-m', 'sh', '-c', 'mount -t tmpfs none /usr/share/fonts'], { encoding: 'utf8' }).status === 0;
const NO_HIDE = canHide ? undefined : 'needs root and unshare -m (a mount namespace) to hide the fonts';

/** `hallq …` (from dist/) with /usr/share/fonts empty for it alone. */
function withoutFonts(args: string[]) {
  const quoted = args.map((a) => `'${a}'`).join(' ');
  return spawn('unshare', ['-m', 'sh', '-c', `mount -t tmpfs none /usr/share/fonts && exec '${process.execPath}' bin/hallq.js ${quoted}`], { env: { ...process.env, HALLQ_RUN: 'dist' }, stdio: ['pipe', 'pipe', 'pipe'] });
}

describe('the ticket preview without fonts', () => {
  it('names what the installed fonts cannot draw, and the package to install', () => {
    expect(previewFontProblem([])?.code).toBe('NO_FONT');
    expect(previewFontProblem(['DejaVu Sans'])?.code).toBe('NO_CJK_FONT');
    expect(previewFontProblem(['Noto Sans CJK SC', 'DejaVu Sans'])).toBeUndefined();
    expect(previewFontWarning([])).toMatch(/^warning: NO_FONT: no font is installed, so the ticket is drawn without any text .*fonts-noto-cjk \(.*fonts-noto-cjk\)$/);
  });

  it('print-test --png says the ticket is drawn without its text and still writes the PNG', async (ctx) => {
    if (NO_HIDE) return ctx.skip(NO_HIDE);
    const file = join(dir.dir, 'x.png');
    const child = withoutFonts(['print-test', '--png', file]);
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
    expect(code).toBe(0);
    expect(out).toBe(`test ticket drawn WITHOUT its text (no font): ${file}\n`);
    expect(err).toMatch(/^warning: NO_FONT: .*install the Debian package fonts-noto-cjk/);
    expect(existsSync(file)).toBe(true);
  }, 60_000);

  it('emulate printer --png warns before the first ticket', async (ctx) => {
    if (NO_HIDE) return ctx.skip(NO_HIDE);
    const child = withoutFonts(['emulate', 'printer', '--pty', '--png', join(dir.dir, 'tickets')]);
    let out = '';
    child.stdout.setEncoding('utf8');
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: string) => {
        out += d;
        if (/fonts-noto-cjk/.test(out)) resolve();
      });
      child.once('close', () => reject(new Error(`emulate ended before the warning:\n${out}`)));
    });
    child.stdin.end('q\n');
    await new Promise((resolve) => child.once('close', resolve));
    expect(out).toMatch(/⚠️ {2}warning: NO_FONT: .*fonts-noto-cjk/);
  }, 60_000);
});
