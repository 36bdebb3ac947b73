import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { silentLogger } from '../../drivers/common/logger.js';
import { loadConfigOrThrow } from '../config/load.js';
import { openCredentials, SECRET_MAX, SECRET_MIN } from '../server/auth/credentials.js';
import { errorLine } from './cli-error.js';
import { closest } from '../../drivers/common/did-you-mean.js';
import { exitCodes } from './exit-codes.js';
import { hallDateTime, utcOffsetText } from './hall-time.js';
import { table } from './table.js';

/**
 * `hallq staff passwd STAFF --config FILE`: sets a staff member's PIN or password (read from the
 * terminal without echo, twice, or from the first line of stdin), stored as a salted scrypt hash in
 * the hall database, never in the YAML. `hallq staff list --config FILE`: who has one, with roles.
 * `hallq staff remove STAFF --config FILE`: takes it away (they can no longer sign in).
 */
export async function staffCommand(args: string[], configPath: string | undefined, json: boolean, io: { stdin: NodeJS.ReadStream; stdout: NodeJS.WriteStream } = process): Promise<number> {
  const [sub, staffId] = args;
  // The word first (`staff lst`), then the config: a typo is said whether --config is given or not.
  if (sub !== 'passwd' && sub !== 'remove' && sub !== 'list') {
    const guess = sub === undefined ? undefined : closest(sub, ['passwd', 'remove', 'list']);
    if (sub !== undefined) throw new StaffUsage(`staff has no "${sub}": it takes passwd STAFF, remove STAFF or list${guess ? `; did you mean ${guess}?` : ''}`, `hallq staff 没有 "${sub}"，可用：hallq staff passwd 工号、hallq staff remove 工号 或 hallq staff list${guess ? `；是不是要用 hallq staff ${guess}？` : ''}`);
    throw new StaffUsage('staff needs what to do: passwd STAFF, remove STAFF or list', '请写上 passwd 工号、remove 工号 或 list');
  }
  if (!configPath) throw new StaffUsage('staff needs the hall config, e.g. hallq staff list --config /etc/hallq/hall.yaml', '请用 --config 指定配置文件');
  const config = loadConfigOrThrow(configPath);
  if (sub === 'list') {
    const store = openCredentials(config.server.database, silentLogger);
    try {
      const set = new Map(store.list().map((c) => [c.staffId, c.updated]));
      const rows = config.staff.map((s) => ({ id: s.id, name: s.name, role: s.role, credential: set.has(s.id), updated: set.get(s.id) }));
      if (json) io.stdout.write(`${JSON.stringify(rows)}\n`);
      else {
        // When it was set, in hall time (hall.utcOffsetMinutes) like every time hallq shows, and said so in the heading.
        const heading = `PIN/password (set, hall time ${utcOffsetText(config.hall.utcOffsetMinutes)})`;
        io.stdout.write(`${table(['staff', 'name', 'role', heading], rows.map((r) => [r.id, r.name, r.role, r.updated === undefined ? '— (cannot sign in)' : `set ${hallDateTime(r.updated, config.hall.utcOffsetMinutes)}`]))}\n`);
      }
      return exitCodes.ok;
    } finally {
      store.close();
    }
  }
  if (!staffId) throw new StaffUsage(`staff ${sub} needs the staff id, e.g. hallq staff ${sub} s01`, `请写上工号，例如 hallq staff ${sub} s01`);
  const staff = config.staff.find((s) => s.id === staffId);
  if (!staff) {
    process.stderr.write(`${errorLine({ code: 'UNKNOWN_STAFF', message: `no staff member ${staffId} in ${configPath} (add them under staff: first)`, messageZh: `配置中没有工号 ${staffId}（请先在 staff: 下添加）` })}\n`);
    return exitCodes.failure;
  }
  const store = openCredentials(config.server.database, silentLogger);
  try {
    if (sub === 'remove') {
      io.stdout.write(
        store.remove(staffId)
          ? `removed the PIN/password of ${staffId}; the server ends their sessions within a minute (or at its next start)\n已删除 ${staffId} 的密码；服务器在一分钟内（或下次启动时）结束其登录\n`
          : `${staffId} had none\n${staffId} 本来就没有密码\n`,
      );
      return exitCodes.ok;
    }
    const secret = io.stdin.isTTY ? await promptTwice(io, `PIN or password for ${staffId} (${staff.name}, ${staff.role}) / ${staffId} 的密码: `) : await firstLine(io.stdin);
    const problem = secretProblem(secret, io.stdin.isTTY === true);
    if (problem !== undefined || secret === undefined) {
      process.stderr.write(`${errorLine({ code: 'NOT_SET', message: `the PIN/password of ${staffId} is not set: ${problem?.en ?? 'no input'}`, messageZh: `${staffId} 的密码没有设置：${problem?.zh ?? '没有输入'}` })}\n`);
      return exitCodes.failure;
    }
    await store.set(staffId, secret, Date.now());
    io.stdout.write(
      `set the PIN/password of ${staffId} (${staff.role}); it takes effect at the next sign-in, and the server ends their sessions signed in with the old one within a minute (or at its next start)\n` +
        `已设置 ${staffId}（${staff.role}）的密码；下次登录起生效，用旧密码登录的会话由服务器在一分钟内（或下次启动时）结束\n`,
    );
    return exitCodes.ok;
  } finally {
    store.close();
  }
}

/** Why a PIN/password is refused, in both languages; undefined when it will do. */
function secretProblem(secret: string | undefined, tty: boolean): { en: string; zh: string } | undefined {
  if (secret === undefined) return { en: 'the two entries differ', zh: '两次输入不一致' };
  if (secret === '')
    return tty
      ? { en: 'nothing was typed', zh: '没有输入任何内容' }
      : { en: 'stdin is empty: give the PIN/password on its first line, e.g. echo 1234 | hallq staff passwd …', zh: '标准输入为空：请在第一行给出密码，例如 echo 1234 | hallq staff passwd …' };
  if (/^\s|\s$/u.test(secret))
    return {
      en: 'it starts or ends with a space (or tab): a PIN/password may not, and hallq does not take spaces off silently (signing in would then need them); give it without them',
      zh: '开头或结尾有空格（或制表符）：密码不能以空格开头或结尾，hallq 不会擅自去掉（否则登录时也要带上空格），请去掉空格后重新设置',
    };
  if (secret.length < SECRET_MIN) return { en: `too short (${secret.length} characters): at least ${SECRET_MIN}`, zh: `太短（${secret.length} 个字符）：至少 ${SECRET_MIN} 个字符` };
  if (secret.length > SECRET_MAX) return { en: `too long (${secret.length} characters): at most ${SECRET_MAX}`, zh: `太长（${secret.length} 个字符）：最多 ${SECRET_MAX} 个字符` };
  return undefined;
}

export class StaffUsage extends Error {
  constructor(
    message: string,
    readonly messageZh: string,
  ) {
    super(message);
  }
}

async function firstLine(stdin: NodeJS.ReadableStream): Promise<string> {
  let text = '';
  for await (const chunk of stdin) {
    text += String(chunk);
    if (text.includes('\n') || text.length > 1000) break;
  }
  // Only the line ending is taken off: the PIN is what was given, or refused (secretProblem), never changed.
  return (text.split('\n')[0] ?? '').replace(/\r$/, '');
}

/** Reads a secret twice from the terminal without echoing it; undefined when the two differ. */
async function promptTwice(io: { stdin: NodeJS.ReadStream; stdout: NodeJS.WriteStream }, question: string): Promise<string | undefined> {
  const ask = async (q: string) => {
    let muted = false;
    const output = new Writable({
      write: (chunk, _enc, done) => {
        if (!muted) io.stdout.write(chunk as Buffer);
        done();
      },
    });
    const rl = createInterface({ input: io.stdin, output, terminal: true });
    io.stdout.write(q);
    muted = true;
    const answer = await new Promise<string>((resolve) => rl.question('', resolve));
    rl.close();
    io.stdout.write('\n');
    return answer;
  };
  const a = await ask(question);
  const b = await ask('again / 再输入一次: ');
  return a === b ? a : undefined;
}
