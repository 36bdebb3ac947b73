import { createHash } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import type { HallqConfig } from './schema.js';

/**
 * The checked config of the last daemon start, kept in the unit's cache directory (issue 12): parsing the
 * YAML and running the schema and the cross-checks over it cost about a sixth of `hallq server`'s CPU to
 * READY, and give the same answer for the same bytes and the same build (they read no file, clock or
 * environment). So a start whose config file and build are the ones of a start that found the config
 * valid takes that config from here without parsing the YAML or loading the schema, and anything else
 * (another file's bytes, another build, a cache that is missing, unreadable, torn or damaged) checks the
 * file as always. A config that is not valid is never kept: its problems are reported by the full check at
 * every start.
 *
 * What is taken is the schema's own output, as JSON gave it back unchanged when it was written, and it is
 * taken only when its digest matches (SHA-256 over the key and the config's JSON): a damaged entry (a
 * disk, an editor) is never run, the file is checked instead. The schema is not run over it again: only
 * the service user can write the cache (systemd's `CacheDirectory=hallq`, 0700), and that user can change
 * what the hall does in other ways too (its database, this cache's digest), so a check would stop
 * nothing a digest does not. (Loading the schema to check again cost ~50 ms of a ~500 ms start.)
 *
 * One file per config path (`config-<16 hex of the path>.json`), `{ key, digest, config }`, written to a
 * temporary name and renamed (a start that stops mid-write leaves the old file or none), mode 0600. The key
 * is SHA-256 over the build's stamp (dist/BUILD.json: every build is another one) and the file's bytes.
 * Only a build has a stamp: from the sources (tsx) nothing is cached. The directory is systemd's
 * `CacheDirectory=hallq` (`$CACHE_DIRECTORY`, /var/cache/hallq), which only the service user writes.
 */

/** The build's stamp (dist/BUILD.json next to dist/src/), or undefined when running from the sources. */
export function buildStamp(): string | undefined {
  try {
    return readFileSync(new URL('../../BUILD.json', import.meta.url), 'utf8');
  } catch {
    return undefined;
  }
}

function fileFor(dir: string, configPath: string): string {
  return join(dir, `config-${createHash('sha256').update(configPath).digest('hex').slice(0, 16)}.json`);
}

/** The key of these bytes under this build, or undefined (no build: no cache). */
export function configCacheKey(text: string, stamp: string | undefined): string | undefined {
  return stamp === undefined ? undefined : createHash('sha256').update(stamp).update('\0').update(text).digest('hex');
}

/** The digest a kept entry carries: SHA-256 over its key and its config's JSON (what JSON.stringify gives). */
export function keptEntryDigest(key: string, configJson: string): string {
  return createHash('sha256').update(key).update('\0').update(configJson).digest('hex');
}

/** The checked config kept for this path under this key, when its digest matches; else undefined. */
export function readCachedConfig(dir: string, configPath: string, key: string): HallqConfig | undefined {
  try {
    const kept = JSON.parse(readFileSync(fileFor(dir, configPath), 'utf8')) as { key?: unknown; digest?: unknown; config?: unknown };
    if (kept.key !== key || typeof kept.config !== 'object' || kept.config === null) return undefined;
    // JSON gives back the text it was written from (writeCachedConfig keeps only such configs).
    return kept.digest === keptEntryDigest(key, JSON.stringify(kept.config)) ? (kept.config as HallqConfig) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Keeps a valid config under its key. Only a config that JSON gives back unchanged (no undefined, no
 * class instances) is kept; a directory that cannot be written is no reason to fail a start. True when kept.
 */
export function writeCachedConfig(dir: string, configPath: string, key: string, config: HallqConfig): boolean {
  try {
    const configJson = JSON.stringify(config);
    if (!isDeepStrictEqual(JSON.parse(configJson), config)) return false;
    const json = JSON.stringify({ key, digest: keptEntryDigest(key, configJson), config });
    const file = fileFor(dir, configPath);
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, json, { mode: 0o600 });
    renameSync(tmp, file);
    return true;
  } catch {
    return false;
  }
}

/**
 * The checked config kept for the file at `configPath` as it is now, or undefined (no build, no cache, the
 * file unreadable, other bytes, another build, a damaged entry). Reads what the key needs and nothing
 * else: the daemons ask this before they load the YAML parser and the schema, which only a miss needs (issue 12).
 */
export function keptConfigFor(configPath: string, dir: string, stamp: string | undefined = buildStamp()): HallqConfig | undefined {
  let text: string;
  try {
    text = readFileSync(configPath, 'utf8');
  } catch {
    return undefined;
  }
  const key = configCacheKey(text, stamp);
  return key === undefined ? undefined : readCachedConfig(dir, configPath, key);
}
