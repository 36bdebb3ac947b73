import { runAgent } from '../agent/main.js';
import { thisAgentIssue } from '../config/agents.js';
import { formatIssues, loadConfigFile } from '../config/load.js';
import { createLogger } from '../log/logger.js';
import { runServer } from '../server/main.js';
import { exitCodes } from './exit-codes.js';

/**
 * Runs a daemon until SIGTERM or SIGINT, then stops it cleanly (STOPPING=1, retained offline status).
 * A bad config is refused before anything starts: one line on stderr, one error line in the log
 * (journald), every problem listed, and exit code 3 — never a guess.
 */
export async function daemon(kind: 'server' | 'agent', configPath: string): Promise<number> {
  let checked = loadConfigFile(configPath);
  // An agent also needs to know which of the hall's agents it is.
  const mine = checked.ok && kind === 'agent' ? thisAgentIssue(checked.config) : undefined;
  if (mine) checked = { ok: false, issues: [mine] };
  if (!checked.ok) {
    const first = checked.issues[0];
    const line = `hallq ${kind}: refusing to start: ${checked.issues.length} problem(s) in ${configPath}; first: ${first ? `${first.path}: found ${first.found}, expected ${first.expected}` : 'unknown'} (hallq config check ${configPath} lists them all)`;
    process.stderr.write(`${line}\n`);
    createLogger({ component: kind }).error({ config: configPath, issues: formatIssues(configPath, checked.issues).split('\n') }, 'config invalid; refusing to start');
    return exitCodes.configInvalid;
  }
  const running = kind === 'server' ? await runServer(configPath) : await runAgent(configPath);
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', () => resolve());
    process.once('SIGINT', () => resolve());
  });
  await running.stop();
  return exitCodes.ok;
}
