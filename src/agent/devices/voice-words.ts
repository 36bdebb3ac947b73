import { isHallqError } from '../../../drivers/common/error.js';
import { MANIFEST_FILE } from '../../../drivers/voice/clip-manifest.js';
import { existsSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';

/** The config key that names the clip folder, as `hallq devices` and the agent's health say it. */
export const CLIPS_KEY = 'agents[].devices.voice.clips';

/** The folder this hallq runs from (bin/hallq.js's parent: /opt/hallq installed, the clone in development). */
function programRoot(): string {
  const bin = process.argv[1] ?? '';
  return basename(bin) === 'hallq.js' && basename(dirname(bin)) === 'bin' ? dirname(dirname(bin)) : '/opt/hallq';
}

/**
 * The command that makes the default clips into `clips`: the built script of the folder hallq runs from;
 * in a clone not built yet (no dist/), the build first, or the command would name a file that is not there.
 */
export function makeClipsCommand(clips: string, root = programRoot()): string {
  const script = 'dist/drivers/voice/generate-clips.js';
  if (existsSync(join(root, script))) return `node ${join(root, script)} ${clips}`;
  return `cd ${root} && npm run build && node ${script} ${resolve(clips)}`;
}

/**
 * Why the voice could not start, for its health row: English, then the Chinese in brackets, as the
 * CLI says an error. A clip folder without its manifest (nothing was installed there: the install
 * makes the default clips only when espeak-ng is present) says what is missing, the config key that
 * points there, and the command that makes the default clips.
 */
export function voiceStartDetail(clips: string, e: unknown, root = programRoot()): string {
  const manifest = join(clips, MANIFEST_FILE);
  if (isHallqError(e, 'CONFIG_NOT_FOUND') && e.details?.['file'] === manifest && e.details['errno'] === 'ENOENT') {
    const make = makeClipsCommand(clips, root);
    return (
      `no voice clips: ${manifest} is not there (${CLIPS_KEY}: ${clips}); make the default clips (needs espeak-ng and sox) with \`${make}\`, as the install does when espeak-ng is installed, or set ${CLIPS_KEY} to the hall's own clips (drivers/voice/README.md)` +
      ` (没有语音片段：${manifest} 不存在（${CLIPS_KEY}：${clips}）；请安装 espeak-ng 和 sox 后运行 \`${make}\` 生成默认片段，或把 ${CLIPS_KEY} 指向大厅自录的片段)`
    );
  }
  if (isHallqError(e)) {
    const zh = e.details?.['messageZh'];
    return typeof zh === 'string' ? `${e.message} (${zh})` : e.message;
  }
  return e instanceof Error ? e.message : String(e);
}
