import { runAgent } from '../agent/main.js';
import { runServer } from '../server/main.js';

/** Runs a daemon until SIGTERM or SIGINT, then stops it cleanly (STOPPING=1, retained offline status). */
export async function daemon(kind: 'server' | 'agent', configPath: string): Promise<number> {
  const running = kind === 'server' ? await runServer(configPath) : await runAgent(configPath);
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', () => resolve());
    process.once('SIGINT', () => resolve());
  });
  await running.stop();
  return 0;
}
