import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

/** Runs the shipped completion function for a command line and returns its candidates. */
function complete(words: string[]): string[] {
  const script = `source packaging/bash-completion/hallq; COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _hallq; printf '%s\\n' "\${COMPREPLY[@]}"`;
  const r = spawnSync('bash', ['-c', script], { encoding: 'utf8' });
  return r.stdout.split('\n').filter(Boolean).sort();
}

describe('bash completion (packaging/bash-completion/hallq, in the .deb)', () => {
  it('offers exactly the commands of src/cli/main.ts', () => {
    const main = readFileSync('src/cli/main.ts', 'utf8');
    const block = main.slice(main.indexOf('const commands'), main.indexOf('const usage'));
    const commands = [...block.matchAll(/^ {2}'?([a-z-]+)'?: \{$/gm)].map((m) => m[1]!);
    expect(commands.length).toBeGreaterThan(10);
    expect(complete(['hallq', ''])).toEqual([...commands, '--help', '--version'].sort());
  });

  it("offers each command's options exactly as its --help names them", () => {
    const main = readFileSync('src/cli/main.ts', 'utf8');
    const block = main.slice(main.indexOf('const commands'), main.indexOf('const usage'));
    for (const [, cmd] of block.matchAll(/^ {2}'?([a-z-]+)'?: \{$/gm)) {
      const help = execFileSync(process.execPath, ['bin/hallq.js', cmd!, '--help'], { encoding: 'utf8' });
      const named = [...new Set(help.split('\n').slice(0, 3).join(' ').match(/--[a-z][a-z-]*/g) ?? [])].sort();
      // The word after the command is a subcommand or a file for some commands: options come from the third on.
      expect(complete(['hallq', cmd!, 'x', '--']), cmd).toEqual([...named, '--help'].sort());
    }
  }, 120_000);

  it('completes options and subcommands', () => {
    expect(complete(['hallq', 'simulate', 'x', '--d'])).toEqual(['--days']);
    expect(complete(['hallq', 'emulate', ''])).toEqual(['idcard', 'modem', 'printer', 'rs485']);
    expect(complete(['hallq', 'staff', 'p'])).toEqual(['passwd']);
  });
});
