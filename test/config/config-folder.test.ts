/**
 * Review: a folder given for a config file (`hallq config check DIR`, `--config DIR`) offered only
 * hall.yaml, agent.yaml and city.yaml of the five config files hallq knows by name (not the
 * hall.example.yaml and demo.yaml it ships in config/). It now offers every one of KNOWN_CONFIG_FILES,
 * the one table of them, and README's row of `hallq config check` names each.
 */
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configsInFolder, folderGiven, KNOWN_CONFIG_FILES } from '../../src/config/config-folder.js';
import { loadConfigFile } from '../../src/config/load.js';
import { isHallqError } from '../../drivers/common/error.js';
import { scratch } from '../helpers/cli.js';

const { dir } = scratch('config-folder');
const names = KNOWN_CONFIG_FILES.map((f) => f.name);

/** A folder holding `files` (each a one-line YAML), made fresh under the scratch folder. */
function folder(name: string, files: readonly string[]): string {
  const d = join(dir, name);
  mkdirSync(d, { recursive: true });
  for (const f of files) {
    mkdirSync(join(d, f, '..'), { recursive: true });
    writeFileSync(join(d, f), 'hall: { id: x }\n');
  }
  return d;
}

describe('a folder given for a config file', () => {
  it('knows five config files by name', () => {
    expect(names).toEqual(['hall.yaml', 'agent.yaml', 'city.yaml', 'hall.example.yaml', 'demo.yaml']);
  });

  it('holding all of them (and another .yaml): every one is offered, in the table order, and no other', () => {
    const d = folder('all', ['other.yaml', ...[...names].reverse()]);
    expect(configsInFolder(d)).toEqual(names.map((n) => join(d, n)));
    const said = folderGiven(d);
    for (const n of names) {
      expect(said.en).toContain(join(d, n));
      expect(said.zh).toContain(join(d, n));
    }
    expect(said.en).not.toContain('other.yaml');
  });

  it('the ones in its hallq/ folder too (as for /etc), after its own', () => {
    const d = folder('etc', ['demo.yaml', 'hallq/hall.example.yaml', 'hallq/city.yaml']);
    expect(configsInFolder(d)).toEqual([join(d, 'demo.yaml'), join(d, 'hallq', 'city.yaml'), join(d, 'hallq', 'hall.example.yaml')]);
  });

  it('the config/ folder hallq ships: each .yaml in it is one of the known files, all offered', () => {
    const shipped = readdirSync('config').filter((n) => n.endsWith('.yaml'));
    expect(shipped.length).toBeGreaterThan(0);
    for (const n of shipped) expect(names).toContain(n);
    expect(configsInFolder('config').sort()).toEqual(shipped.map((n) => join('config', n)).sort());
  });

  it('the config loader (every --config) says them', () => {
    const d = folder('loader', names);
    let message = '';
    try {
      loadConfigFile(d);
    } catch (e) {
      expect(isHallqError(e, 'CONFIG_NOT_FOUND')).toBe(true);
      message = e instanceof Error ? e.message : '';
    }
    expect(message).toBe(`config: ${d} is a folder, not a config file; did you mean ${names.slice(0, -1).map((n) => join(d, n)).join(', ')} or ${join(d, 'demo.yaml')}?`);
  });

  it("README's row of hallq config check names every one", () => {
    const row = readFileSync('README.md', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('| `hallq config check '));
    for (const n of names) expect(row ?? '', n).toContain(`\`${n}\``);
  });
});
