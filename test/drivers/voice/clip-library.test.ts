import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isHallqError, type HallqError } from '../../../drivers/common/error.js';
import { recordingLogger, silentLogger } from '../../../drivers/common/logger.js';
import { loadClipLibrary } from '../../../drivers/voice/clip-library.js';
import { renderCall, renderTokens } from '../../../drivers/voice/render.js';
import { encodeWav, frameCount } from '../../../drivers/voice/wav-codec.js';
import { CALL_TOKENS, clip, FORMAT, syntheticLibrary, removeTempDirs, tempDir, writeLibrary } from './clip-fixture.js';

afterAll(removeTempDirs);

async function loadError(dir: string): Promise<HallqError> {
  try {
    await loadClipLibrary(dir, silentLogger);
  } catch (e) {
    if (isHallqError(e)) return e;
    throw e;
  }
  throw new Error('loaded a bad library');
}

describe('loadClipLibrary', () => {
  it('loads clips under any file names the manifest gives', async () => {
    const dir = await tempDir('lib');
    await writeLibrary(dir, { 请: clip(30, 1), 号: clip(20, 2) }, { 请: 'my recording (qing).wav', 号: 'hao-take-3.wav' });
    const logger = recordingLogger();
    const lib = await loadClipLibrary(dir, logger);
    expect(lib.format).toEqual(FORMAT);
    expect(lib.tokens().sort()).toEqual(['号', '请'].sort());
    expect(frameCount(lib.get('请') ?? clip(0, 0))).toBe(30);
    expect(logger.records.some((r) => r.msg === 'clip library loaded')).toBe(true);
  });

  it('rejects a clip of another format, naming the file', async () => {
    const dir = await tempDir('mixed');
    await writeLibrary(
      dir,
      { 请: clip(30, 1), 号: clip(30, 1, { sampleRate: 22050, channels: 1, bitsPerSample: 16 }), 到: clip(30, 1) },
      { 号: 'hao-22k.wav' },
    );
    const e = await loadError(dir);
    expect(e.code).toBe('AUDIO_FAILED');
    expect(e.message).toContain('hao-22k.wav');
    expect(e.message).toContain('22050 Hz');
    expect(e.details?.['file']).toBe(join(dir, 'hao-22k.wav'));
  });

  it('rejects a clip that disagrees with the format the manifest declares', async () => {
    const dir = await tempDir('declared');
    const stereo = { sampleRate: 16000, channels: 2, bitsPerSample: 16 } as const;
    await writeFile(join(dir, 'a.wav'), encodeWav(clip(10, 1, stereo)));
    await writeFile(join(dir, 'clips.json'), JSON.stringify({ version: 1, format: FORMAT, clips: { A: 'a.wav' } }));
    const e = await loadError(dir);
    expect(e.code).toBe('AUDIO_FAILED');
    expect(e.message).toContain('a.wav');
  });

  it('rejects a file that is not a WAV, naming it and the reason', async () => {
    const dir = await tempDir('junk');
    await writeLibrary(dir, { 请: clip(30, 1) });
    await writeFile(join(dir, 'junk.wav'), 'ID3 this is an mp3');
    await writeFile(join(dir, 'clips.json'), JSON.stringify({ version: 1, clips: { 请: 'clip-0.wav', 到: 'junk.wav' } }));
    const e = await loadError(dir);
    expect(e.message).toContain('junk.wav');
    expect(e.details?.['reason']).toBe('NOT_RIFF');
  });

  it('names a clip file that is missing, and a manifest that is missing', async () => {
    const dir = await tempDir('missing');
    expect((await loadError(dir)).code).toBe('CONFIG_NOT_FOUND');
    await writeFile(join(dir, 'clips.json'), JSON.stringify({ version: 1, clips: { 请: 'gone.wav' } }));
    const e = await loadError(dir);
    expect(e.code).toBe('CONFIG_NOT_FOUND');
    expect(e.message).toContain('gone.wav');
  });

  it('refuses a manifest pointing outside the library directory', async () => {
    const dir = await tempDir('escape');
    await writeFile(join(dir, 'clips.json'), JSON.stringify({ version: 1, clips: { 请: '../../etc/passwd' } }));
    const e = await loadError(dir);
    expect(e.code).toBe('CONFIG_INVALID');
    expect(e.message).toContain('clips.请');
  });
});

describe('renderTokens / renderCall', () => {
  const lib = syntheticLibrary(CALL_TOKENS);

  it('joins the clips of a call in phrase order with gaps, sample-exactly', async () => {
    const wav = await renderTokens(lib, ['号', '请'], { gapFrames: 2 });
    const s = new Int16Array(wav.data.buffer.slice(0));
    const hao = lib.get('号');
    const qing = lib.get('请');
    if (hao === undefined || qing === undefined) throw new Error('fixture');
    expect(s.length).toBe(frameCount(hao) + 2 + frameCount(qing));
    expect(Array.from(s.subarray(frameCount(hao) - 1, frameCount(hao) + 3))).toEqual([7, 0, 0, 1]);
  });

  it('repeat=2 is twice the phrase plus the pause, and the second copy is identical to the first', async () => {
    const once = await renderCall(lib, { ticket: 'A012', window: 3 }, { gapFrames: 5 });
    const twice = await renderCall(lib, { ticket: 'A012', window: 3 }, { gapFrames: 5, repeat: 2, pauseFrames: 800 });
    const n = frameCount(once);
    expect(frameCount(twice)).toBe(2 * n + 800);
    expect(Buffer.from(twice.data.subarray(0, once.data.length)).equals(Buffer.from(once.data))).toBe(true);
    expect(Buffer.from(twice.data.subarray(once.data.length + 1600)).equals(Buffer.from(once.data))).toBe(true);
  });

  it('names every missing token when there is no fallback', async () => {
    await expect(renderCall(lib, { ticket: 'Z9', window: 3 })).rejects.toMatchObject({ code: 'AUDIO_FAILED', details: { missing: ['Z', '九'] } });
  });

  it('asks the fallback TTS once per missing token', async () => {
    const asked: string[] = [];
    const wav = await renderTokens(lib, ['请', '注意', '注意'], {
      fallback: (text) => {
        asked.push(text);
        return Promise.resolve(clip(50, 9));
      },
    });
    expect(asked).toEqual(['注意']);
    expect(frameCount(wav)).toBe(100 + 50 + 50);
  });

  it('turns an unreadable ticket into PAYLOAD_INVALID', async () => {
    await expect(renderCall(lib, { ticket: 'A/1', window: 3 })).rejects.toMatchObject({ code: 'PAYLOAD_INVALID' });
  });
});
