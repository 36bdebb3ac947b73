/**
 * CLI: generate the default clip library. Called by the install script:
 *   npx tsx drivers/voice/generate-clips.ts <dir> [--voice cmn-latn-pinyin] [--rate 150]
 */
import { parseArgs } from 'node:util';
import { isHallqError } from '../common/error.js';
import { silentLogger } from '../common/logger.js';
import { generateDefaultClips } from './clip-generator.js';
import { DEFAULT_RATE, DEFAULT_VOICE } from './espeak-tts.js';

const usage = 'usage: generate-clips <dir> [--voice cmn-latn-pinyin] [--rate 150]';

async function main(): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      allowPositionals: true,
      options: { voice: { type: 'string', default: DEFAULT_VOICE }, rate: { type: 'string', default: String(DEFAULT_RATE) } },
    });
  } catch (e) {
    console.error(`${(e as Error).message}\n${usage}`);
    return 2;
  }
  const dir = parsed.positionals[0];
  const rate = Number(parsed.values.rate);
  if (dir === undefined || parsed.positionals.length > 1 || !Number.isInteger(rate) || rate < 80 || rate > 450) {
    console.error(usage);
    return 2;
  }
  try {
    const m = await generateDefaultClips(dir, { voice: parsed.values.voice, rate, logger: silentLogger });
    console.log(`wrote ${Object.keys(m.clips).length} clips and clips.json to ${dir}`);
    return 0;
  } catch (e) {
    console.error(isHallqError(e) ? `${e.code}: ${e.message}` : e);
    return 1;
  }
}

process.exitCode = await main();
