import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The config files hallq knows by name, in the order a folder given for a config file offers them: the
 * one table of them (README's row of `hallq config check` names each; test/config/config-folder.test.ts
 * holds it to that and to the .yaml files shipped in config/).
 */
export const KNOWN_CONFIG_FILES: readonly { name: string; holds: string }[] = [
  { name: 'hall.yaml', holds: "a hall's config, for its server and agents (packaging installs /etc/hallq/hall.yaml)" },
  { name: 'agent.yaml', holds: "a hall's config kept under this name on a box that runs only an agent" },
  { name: 'city.yaml', holds: "the city tier's config (a top-level `city:`, docs/city.md)" },
  { name: 'hall.example.yaml', holds: 'the example hall config shipped in config/ (installed as hall.yaml)' },
  { name: 'demo.yaml', holds: "the demo hall shipped in config/ (`hallq demo`'s and `hallq simulate`'s example)" },
];

const isFile = (p: string): boolean => {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
};

/**
 * The config files a folder given for a config file holds, to offer instead: those of KNOWN_CONFIG_FILES
 * in it, then those in its hallq/ folder (`/etc` → /etc/hallq/hall.yaml), else any other .yaml or .yml
 * file in it (at most three, by name).
 */
export function configsInFolder(folder: string): string[] {
  const known = [folder, join(folder, 'hallq')].flatMap((d) => KNOWN_CONFIG_FILES.map((f) => join(d, f.name))).filter(isFile);
  if (known.length > 0) return known;
  let names: string[] = [];
  try {
    if (existsSync(folder)) names = readdirSync(folder).filter((n) => /\.ya?ml$/.test(n)).sort();
  } catch {
    // a folder this user may not list: nothing to offer
  }
  return names.map((n) => join(folder, n)).filter(isFile).slice(0, 3);
}

/** "a folder, not a config file", with what to give instead, in English and Chinese. */
export function folderGiven(folder: string): { en: string; zh: string } {
  const found = configsInFolder(folder);
  if (found.length === 0) {
    return {
      en: `${folder} is a folder, not a config file, and has no .yaml file in it; give the file, e.g. /etc/hallq/hall.yaml`,
      zh: `${folder} 是文件夹，不是配置文件，里面也没有 .yaml 文件；请写上配置文件本身，例如 /etc/hallq/hall.yaml`,
    };
  }
  const list = (sep: string, or: string) => (found.length === 1 ? (found[0] ?? '') : `${found.slice(0, -1).join(sep)}${or}${found.at(-1) ?? ''}`);
  return { en: `${folder} is a folder, not a config file; did you mean ${list(', ', ' or ')}?`, zh: `${folder} 是文件夹，不是配置文件；是不是 ${list('、', ' 或 ')}？` };
}
