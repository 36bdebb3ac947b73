import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { keptConfigFor, keptEntryDigest, readCachedConfig, writeCachedConfig } from '../../src/config/config-cache.js';
import { loadConfigFile } from '../../src/config/load.js';
import { validateConfig } from '../../src/config/validate.js';
import { parse } from 'yaml';
import type { HallqConfig } from '../../src/config/schema.js';

/** The demo config in a folder of its own, and an empty cache folder beside it. */
function setup(): { file: string; cache: string; text: string } {
  const dir = mkdtempSync(join(tmpdir(), 'hallq-config-cache-'));
  const text = readFileSync(join(import.meta.dirname, '..', '..', 'config', 'demo.yaml'), 'utf8');
  const file = join(dir, 'hall.yaml');
  writeFileSync(file, text);
  const cache = join(dir, 'cache');
  mkdirSync(cache);
  return { file, cache, text };
}

/** The one file the cache folder holds, as written. */
function kept(cache: string): { key: string; digest: string; config: HallqConfig } {
  const files = readdirSync(cache);
  expect(files).toHaveLength(1);
  return JSON.parse(readFileSync(join(cache, files[0] ?? ''), 'utf8')) as { key: string; digest: string; config: HallqConfig };
}

/** Writes an entry as writeCachedConfig would (its digest made for `config`), or with the digest given. */
function writeEntry(cache: string, key: string, config: unknown, digest = keptEntryDigest(key, JSON.stringify(config))): void {
  writeFileSync(join(cache, readdirSync(cache)[0] ?? ''), JSON.stringify({ key, digest, config }));
}

describe('the config checked at the last start (src/config/config-cache.ts, issue 12)', () => {
  it('keeps a valid config, and takes it for the same bytes and build without checking the file again', () => {
    const { file, cache } = setup();
    const first = loadConfigFile(file, { cacheDir: cache, buildStamp: 'build-1' });
    expect(first.ok).toBe(true);
    const entry = kept(cache);
    expect(first.ok && entry.config).toEqual(first.ok ? first.config : undefined);
    expect(entry.digest).toBe(keptEntryDigest(entry.key, JSON.stringify(entry.config)));
    // Proof that the second start reads the cache, not the file: an entry changed by hand, its digest made again, is what it gets.
    const renamed = { ...entry.config, hall: { ...entry.config.hall, name: { ...entry.config.hall.name, zh: '缓存里改过的名字' } } };
    writeEntry(cache, entry.key, renamed);
    const second = loadConfigFile(file, { cacheDir: cache, buildStamp: 'build-1' });
    expect(second.ok && second.config.hall.name.zh).toBe('缓存里改过的名字');
    // Another build: checked again (and kept anew).
    const rebuilt = loadConfigFile(file, { cacheDir: cache, buildStamp: 'build-2' });
    expect(rebuilt.ok && rebuilt.config.hall.name.zh).toBe(first.ok && first.config.hall.name.zh);
    expect(kept(cache).key).not.toBe(entry.key);
  });

  it('never takes a damaged entry (its digest does not match its config): the file is checked and kept anew', () => {
    const { file, cache } = setup();
    const first = loadConfigFile(file, { cacheDir: cache, buildStamp: 'b' });
    if (!first.ok) throw new Error('demo config invalid');
    const entry = kept(cache);
    // One value changed (a disk, an editor), the digest left as it was; a value the schema would refuse, too.
    for (const damaged of [
      { ...entry.config, hall: { ...entry.config.hall, name: { ...entry.config.hall.name, zh: '篡改' } } },
      { ...entry.config, policy: { ...entry.config.policy, recallLimit: 'lots' } },
      { ...entry.config, trustEverything: true },
    ]) {
      writeEntry(cache, entry.key, damaged, entry.digest);
      expect(keptConfigFor(file, cache, 'b')).toBeUndefined();
      const again = loadConfigFile(file, { cacheDir: cache, buildStamp: 'b' });
      expect(again.ok && again.config).toEqual(first.config);
      expect(kept(cache)).toEqual(entry);
    }
    // No digest (an entry of an older hallq), or one that is not a string: the same.
    writeFileSync(join(cache, readdirSync(cache)[0] ?? ''), JSON.stringify({ key: entry.key, config: entry.config }));
    expect(keptConfigFor(file, cache, 'b')).toBeUndefined();
    writeEntry(cache, entry.key, entry.config, 42 as unknown as string);
    expect(keptConfigFor(file, cache, 'b')).toBeUndefined();
    // Torn mid-file: not JSON.
    writeFileSync(join(cache, readdirSync(cache)[0] ?? ''), JSON.stringify(entry).slice(0, 200));
    expect(keptConfigFor(file, cache, 'b')).toBeUndefined();
  });

  it('the configs hallq ships come back from JSON as the schema gave them (so a kept config is taken at all)', () => {
    const checked: string[] = [];
    for (const f of ['demo.yaml', 'hall.example.yaml']) {
      const r = validateConfig(parse(readFileSync(join(import.meta.dirname, '..', '..', 'config', f), 'utf8')));
      if (!r.ok) continue; // hall.example.yaml names files that are not on this machine: checked by its own tests.
      checked.push(f);
      const { cache, file } = setup();
      expect(writeCachedConfig(cache, file, 'k', r.config), f).toBe(true);
      expect(readCachedConfig(cache, file, 'k'), f).toEqual(r.config);
    }
    // At least the demo hall went through (a loop that skipped every file would prove nothing).
    expect(checked).toContain('demo.yaml');
  });

  it('checks the file again when its bytes changed, and never keeps an invalid one', () => {
    const { file, cache, text } = setup();
    expect(loadConfigFile(file, { cacheDir: cache, buildStamp: 'b' }).ok).toBe(true);
    const before = kept(cache).key;
    writeFileSync(file, text.replace(/^hall:\n/m, 'hall:\n  bogusKey: 1\n'));
    const r = loadConfigFile(file, { cacheDir: cache, buildStamp: 'b' });
    expect(r.ok).toBe(false);
    // The valid file's entry is still the one kept: the invalid file left nothing.
    expect(kept(cache).key).toBe(before);
    // And a second start on the invalid file reports it again.
    expect(loadConfigFile(file, { cacheDir: cache, buildStamp: 'b' }).ok).toBe(false);
  });

  it('keeps nothing without a build (from the sources), and a torn or foreign entry is a miss', () => {
    const { file, cache } = setup();
    // From the sources there is no dist/BUILD.json next to src/: no key, nothing written.
    expect(loadConfigFile(file, { cacheDir: cache }).ok).toBe(true);
    expect(readdirSync(cache)).toEqual([]);
    const r = loadConfigFile(file);
    if (!r.ok) throw new Error('demo config invalid');
    expect(writeCachedConfig(cache, file, 'k', r.config)).toBe(true);
    const entry = join(cache, readdirSync(cache)[0] ?? '');
    writeFileSync(entry, readFileSync(entry, 'utf8').slice(0, 100));
    expect(readCachedConfig(cache, file, 'k')).toBeUndefined();
    // Another config path's entry is another file.
    expect(readCachedConfig(cache, `${file}.other`, 'k')).toBeUndefined();
  });

  it('keeps only what JSON gives back unchanged', () => {
    const { file, cache } = setup();
    const r = loadConfigFile(file);
    if (!r.ok) throw new Error('demo config invalid');
    expect(writeCachedConfig(cache, file, 'k', { ...r.config, hall: { ...r.config.hall, extra: undefined } } as unknown as HallqConfig)).toBe(false);
    expect(readdirSync(cache)).toEqual([]);
    expect(writeCachedConfig(cache, file, 'k', r.config)).toBe(true);
    expect(readCachedConfig(cache, file, 'k')).toEqual(r.config);
    expect(readCachedConfig(cache, file, 'other')).toBeUndefined();
  });
  it('keptConfigFor (what the daemons ask before loading the parser): the kept config for these bytes and this build, else nothing', () => {
    const { file, cache, text } = setup();
    expect(keptConfigFor(file, cache, 'build-1')).toBeUndefined();
    const checked = loadConfigFile(file, { cacheDir: cache, buildStamp: 'build-1' });
    expect(checked.ok).toBe(true);
    expect(keptConfigFor(file, cache, 'build-1')).toEqual(checked.ok ? checked.config : undefined);
    // Another build, no build (sources), another file's bytes, a file that is gone: nothing kept.
    expect(keptConfigFor(file, cache, 'build-2')).toBeUndefined();
    expect(keptConfigFor(file, cache, undefined)).toBeUndefined();
    writeFileSync(file, `${text}\n# edited by hand\n`);
    expect(keptConfigFor(file, cache, 'build-1')).toBeUndefined();
    expect(keptConfigFor(join(cache, 'no-such.yaml'), cache, 'build-1')).toBeUndefined();
  });
});
