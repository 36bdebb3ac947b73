/**
 * Runs an external audio tool (espeak-ng, sox) to completion with bytes on stdin, collecting stdout.
 * A missing binary, a non-zero exit or a timeout becomes HallqError AUDIO_FAILED, never an unhandled error.
 */
import { spawn } from 'node:child_process';
import { HallqError } from '../common/error.js';
import { errnoOf, systemWords } from '../common/system-words.js';

export interface ToolResult {
  stdout: Buffer;
  stderr: string;
}

export function runTool(command: string, args: readonly string[], stdin: Uint8Array | string, timeoutMs = 30_000): Promise<ToolResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let settled = false;
    const finish = (e: HallqError | undefined) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (e === undefined) resolve({ stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString('utf8') });
      else reject(e);
    };
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      finish(new HallqError('AUDIO_FAILED', `${command} did not finish within ${timeoutMs} ms`, { command }));
    }, timeoutMs);
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    // ENOENT arrives here; an EPIPE on stdin (the tool died early) is reported by the exit code instead.
    child.on('error', (e) => {
      // Spawn's "spawn aplay ENOENT" in words: a missing tool is a package to install.
      const errno = errnoOf(e);
      const w = errno === 'ENOENT' ? { en: 'it is not installed (not found on the PATH)', zh: '未安装（PATH 中找不到）' } : systemWords(errno);
      finish(new HallqError('AUDIO_FAILED', `cannot run ${command}: ${w.en}`, { command, messageZh: `无法运行 ${command}：${w.zh}` }, { cause: e }));
    });
    child.stdin.on('error', () => {});
    child.on('close', (code, signal) => {
      if (code === 0) finish(undefined);
      else {
        const tail = Buffer.concat(err).toString('utf8').trim().slice(-500);
        finish(new HallqError('AUDIO_FAILED', `${command} failed (${signal ?? `exit ${code}`}): ${tail}`, { command, code, signal }));
      }
    });
    child.stdin.end(stdin);
  });
}
