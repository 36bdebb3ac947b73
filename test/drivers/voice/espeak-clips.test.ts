// Real tools: espeak-ng generates the clips, sox converts them, soxi measures what the announcer wrote.
import { execFile } from 'node:child_process';
import { copyFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../drivers/common/logger.js';
import { VoiceAnnouncer } from '../../../drivers/voice/announcer.js';
import { generateDefaultClips, LIBRARY_FORMAT } from '../../../drivers/voice/clip-generator.js';
import { loadClipLibrary, type ClipLibrary } from '../../../drivers/voice/clip-library.js';
import type { ClipManifest } from '../../../drivers/voice/clip-manifest.js';
import { DEFAULT_CLIPS } from '../../../drivers/voice/default-clips.js';
import { DEFAULT_VOICE, espeakToPcm } from '../../../drivers/voice/espeak-tts.js';
import { callPhrase } from '../../../drivers/voice/phrase.js';
import { WavFileSink } from '../../../drivers/voice/wav-file-sink.js';
import { CALL_TOKENS, removeTempDirs, tempDir } from './clip-fixture.js';

const run = promisify(execFile);
const soxi = async (flag: string, file: string) => Number((await run('soxi', [flag, file])).stdout.trim());
/** One soxi run over many files: one number per file, in order. */
const soxiAll = async (flag: string, files: string[]) => (await run('soxi', [flag, ...files])).stdout.trim().split('\n').map(Number);

let dir: string;
let manifest: ClipManifest;
let library: ClipLibrary;

beforeAll(async () => {
  dir = await tempDir('espeak');
  manifest = await generateDefaultClips(join(dir, 'clips'), { tokens: CALL_TOKENS, logger: silentLogger });
  library = await loadClipLibrary(join(dir, 'clips'), silentLogger);
});

afterAll(removeTempDirs);

async function renderToFile(repeat: number, sub: string): Promise<string> {
  const sink = new WavFileSink(join(dir, sub));
  const a = new VoiceAnnouncer({ library, sink, logger: silentLogger, repeat, gapMs: 10, pauseMs: 700 });
  a.announce({ ticket: 'A012', window: 3 });
  await a.idle();
  const [file] = sink.written;
  if (file === undefined) throw new Error('nothing written');
  return file;
}

describe('default clips from espeak-ng', () => {
  it('the default voice reads every default token as Mandarin, never switching to English', async () => {
    // espeak-ng -x prints phonemes; "(en)" marks a switch to English (plain cmn reads 号 as "hao four").
    const text = DEFAULT_CLIPS.map((c) => c.text).join(' ');
    const { stdout } = await run('espeak-ng', ['-q', '-x', '-v', DEFAULT_VOICE, text]);
    expect(stdout).not.toContain('(en)');
    expect(stdout.split('_|').length).toBeGreaterThan(DEFAULT_CLIPS.length);
  });

  it('writes every requested token as 16 kHz mono 16-bit, checked by soxi', async () => {
    expect(Object.keys(manifest.clips).sort()).toEqual([...CALL_TOKENS].sort());
    const paths = Object.values(manifest.clips).map((f) => join(dir, 'clips', f));
    const n = paths.length;
    expect(await soxiAll('-r', paths)).toEqual(Array<number>(n).fill(16000));
    expect(await soxiAll('-c', paths)).toEqual(Array<number>(n).fill(1));
    expect(await soxiAll('-b', paths)).toEqual(Array<number>(n).fill(16));
    // Over 0.1 s of speech each, after trimming silence.
    for (const s of await soxiAll('-s', paths)) expect(s).toBeGreaterThan(1600);
  });

  it('renders 请 A012 号 到 3 号窗口 办理 to exactly the clips plus the gaps', async () => {
    const out = await renderToFile(1, 'once');
    const phrase = callPhrase({ ticket: 'A012', window: 3 });
    if (!phrase.ok) throw new Error(phrase.error.message);
    const counts = await soxiAll('-s', phrase.tokens.map((t) => join(dir, 'clips', manifest.clips[t] ?? 'missing')));
    const sum = counts.reduce((a, b) => a + b, 0);
    const gap = 160; // 10 ms at 16 kHz
    expect(await soxi('-s', out)).toBe(sum + (phrase.tokens.length - 1) * gap);
    expect([await soxi('-r', out), await soxi('-c', out), await soxi('-b', out)]).toEqual([16000, 1, 16]);
  });

  it('repeat=2 is twice the samples plus the pause, by soxi', async () => {
    const once = await soxi('-s', await renderToFile(1, 'r1'));
    expect(await soxi('-s', await renderToFile(2, 'r2'))).toBe(2 * once + 700 * 16);
  });

  it('rejects a clip converted to another format, naming the file', async () => {
    const bad = join(dir, 'bad');
    await generateDefaultClips(bad, { tokens: ['请', '号'], logger: silentLogger });
    const hao = join(bad, 'hao.wav');
    await copyFile(hao, join(bad, 'src.wav'));
    await run('sox', [join(bad, 'src.wav'), '-r', '22050', hao]);
    await expect(loadClipLibrary(bad, silentLogger)).rejects.toMatchObject({ code: 'AUDIO_FAILED', message: expect.stringContaining('hao.wav') as string });
  });

  it('fallback TTS renders free text in the library format, the same samples every time', async () => {
    const a = await espeakToPcm('请保管好随身物品', { format: LIBRARY_FORMAT });
    const b = await espeakToPcm('请保管好随身物品', { format: LIBRARY_FORMAT });
    expect(a.format).toEqual(LIBRARY_FORMAT);
    expect(a.data.length).toBeGreaterThan(16000 * 2); // several syllables: over a second
    expect(Buffer.from(a.data).equals(Buffer.from(b.data))).toBe(true);
  });

  it('a missing espeak-ng is AUDIO_FAILED', async () => {
    await expect(espeakToPcm('请', { format: LIBRARY_FORMAT, espeakPath: '/nonexistent/espeak-ng' })).rejects.toMatchObject({ code: 'AUDIO_FAILED' });
  });

  it('refuses to generate a token outside the default set', async () => {
    await expect(generateDefaultClips(join(dir, 'x'), { tokens: ['请问'], logger: silentLogger })).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
  });

  it('the manifest is valid JSON naming the format', async () => {
    const m = JSON.parse(await readFile(join(dir, 'clips', 'clips.json'), 'utf8')) as ClipManifest;
    expect(m.format).toEqual(LIBRARY_FORMAT);
  });
});
