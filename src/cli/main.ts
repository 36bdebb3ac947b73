/**
 * The `hallq` command. Each subcommand is one entry of `commands` below: its usage, its own options
 * (anything else is a usage error), and a `run` that imports its code only when it runs, so
 * `hallq server` never loads the demo, the embedded broker, the simulator or the device drivers
 * (start time and memory, issue 12). Adding a subcommand is adding one entry.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { isHallqError } from '../../drivers/common/error.js';
import { errorLine, errorParts, UsageError } from './cli-error.js';
import { closest, closestAll } from '../../drivers/common/did-you-mean.js';
import { exitCodes } from './exit-codes.js';
import { endQuietlyOnBrokenPipe } from './broken-pipe.js';
import type { HallServer } from './server-address.js';

type Options = NonNullable<ParseArgsConfig['options']>;

/** What a subcommand's `run` receives: its flags (by long name) and its positional arguments. */
export interface CommandArgs {
  values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  positionals: string[];
}

interface Subcommand {
  /** Arguments after the command's name, for the usage text, e.g. "--config FILE". */
  usage: string;
  /** What it does, one or two lines. */
  about: string;
  options?: Options;
  /** The most positional arguments it takes (0 when absent): one more is a usage error, never ignored. */
  positionals?: number;
  run(args: CommandArgs): Promise<number>;
}

// Option sets shared by several commands.
const configOpt = { config: { type: 'string', short: 'c' } } as const satisfies Options;
const jsonOpt = { json: { type: 'boolean' } } as const satisfies Options;
const serverOpt = { server: { type: 'string' } } as const satisfies Options;
const text = { type: 'string' } as const;

const commands: Record<string, Subcommand> = {
  demo: {
    usage: '[--config FILE] [--speed N] [--seconds N] [--seed N] [--png DIR]',
    about: 'the whole hall on one box: embedded broker, server, agent, emulated devices, citizens; --png DIR draws each printed ticket',
    options: { ...configOpt, speed: text, seconds: text, seed: text, png: text },
    run: async (a) => (await import('./demo-command.js')).demoCommand({ config: str(a, 'config') ?? join(programRoot(), 'config', 'demo.yaml'), speed: positive(a, 'speed') ?? 1, seed: int(a, 'seed'), seconds: int(a, 'seconds'), png: str(a, 'png') }),
  },
  server: {
    usage: '--config FILE',
    about: 'run the hall server (systemd: Type=notify)',
    options: configOpt,
    run: async (a) => (await import('./daemon.js')).daemon('server', need(str(a, 'config'), 'server needs its config file, e.g. hallq server --config /etc/hallq/hall.yaml', '请用 --config 指定配置文件')),
  },
  agent: {
    usage: '--config FILE',
    about: 'run the mini-PC agent (systemd: Type=notify)',
    options: configOpt,
    run: async (a) => (await import('./daemon.js')).daemon('agent', need(str(a, 'config'), 'agent needs its config file, e.g. hallq agent --config /etc/hallq/hall.yaml', '请用 --config 指定配置文件')),
  },
  status: {
    usage: '[--server URL | --config FILE] [--json]',
    about: 'server health and every window',
    options: { ...serverOpt, ...configOpt, ...jsonOpt },
    run: async (a) => {
      const client = await import('./client.js');
      return client.statusCommand(await serverAddress(a), flag(a, 'json'), client.cliTokenFor(str(a, 'config')));
    },
  },
  queue: {
    usage: '[--server URL | --config FILE] [--json]',
    about: 'waiting, issued and served per service',
    options: { ...serverOpt, ...configOpt, ...jsonOpt },
    run: async (a) => {
      const client = await import('./client.js');
      return client.queueCommand(await serverAddress(a), flag(a, 'json'), client.cliTokenFor(str(a, 'config')));
    },
  },
  issue: {
    usage: 'SERVICE [--server URL | --config FILE] [--json]',
    about: 'issue a ticket for a service (no printout, no SMS)',
    options: { ...serverOpt, ...configOpt, ...jsonOpt },
    positionals: 1,
    run: async (a) => {
      const serviceId = need(a.positionals[0], 'issue needs the service, e.g. hallq issue social', '请写上业务编号，例如 hallq issue social');
      const client = await import('./client.js');
      return client.commandCommand(await serverAddress(a), { type: 'IssueTicket', serviceId, delivery: 'none' }, flag(a, 'json'), client.cliTokenFor(str(a, 'config')));
    },
  },
  call: {
    usage: 'WINDOW [--server URL | --config FILE] [--json]',
    about: 'call the next ticket at a window',
    options: { ...serverOpt, ...configOpt, ...jsonOpt },
    positionals: 1,
    run: async (a) => {
      const window = windowNumber(need(a.positionals[0], 'call needs the window number, e.g. hallq call 3', '请写上窗口号，例如 hallq call 3'));
      const client = await import('./client.js');
      return client.commandCommand(await serverAddress(a), { type: 'CallNext', window }, flag(a, 'json'), client.cliTokenFor(str(a, 'config')));
    },
  },
  simulate: {
    usage: 'FILE [--days N] [--seed N] [--windows 1-4,7] [--json]',
    about: 'simulate hall days on the real core: waits, utilisation, near-SMS lead time',
    options: { days: text, seed: text, windows: text, ...jsonOpt },
    positionals: 1,
    run: async (a) => {
      const file = need(a.positionals[0], 'simulate needs a config file, e.g. hallq simulate config/demo.yaml', '请写上配置文件，例如 hallq simulate config/demo.yaml');
      const days = int(a, 'days');
      const seed = int(a, 'seed');
      const windows = str(a, 'windows');
      return (await import('./simulate.js')).simulateCommand(file, { json: flag(a, 'json'), ...(days === undefined ? {} : { days }), ...(seed === undefined ? {} : { seed }), ...(windows === undefined ? {} : { windows }) });
    },
  },
  report: {
    usage: '--from DAY --to DAY [--by service|window|staff|hour|day] [--csv | --xlsx | --json] [--rebuild] (--config FILE | --db FILE)',
    about: 'hall reports from the database file (tickets, waits, windows, 好差评, attendance); --xlsx writes to stdout',
    options: { ...configOpt, ...jsonOpt, db: text, from: text, to: text, by: text, csv: { type: 'boolean' }, xlsx: { type: 'boolean' }, rebuild: { type: 'boolean' } },
    run: async (a) => {
      // Both would name the hall twice, perhaps two halls: which one a report is of must never be a guess.
      if (str(a, 'db') !== undefined && str(a, 'config') !== undefined) throw new UsageError('report takes the hall from --db FILE or from --config FILE (its server.database), not both: give one', '--db 和 --config 只能写一个：用 --db 指定数据库文件，或用 --config 指定配置文件（取其中的 server.database）');
      const db = str(a, 'db') ?? (str(a, 'config') === undefined ? undefined : (await import('../config/load.js')).loadConfigOrThrow(str(a, 'config') as string).server.database);
      const database = need(db, 'report needs the hall: --config FILE (its database) or --db FILE', '请用 --config 或 --db 指定大厅');
      const formats = (['xlsx', 'csv', 'json'] as const).filter((f) => flag(a, f));
      if (formats.length > 1) throw new UsageError(`report writes one format: choose one of --csv, --xlsx, --json, not ${formats.map((f) => `--${f}`).join(' and ')}`, '--csv、--xlsx、--json 只能选一个');
      const format = formats[0] ?? 'table';
      return (await import('./report.js')).reportCommand({
        database,
        from: need(str(a, 'from'), 'report needs the first day: --from DAY, e.g. --from 2026-11-01', '请用 --from 写上开始日期，例如 --from 2026-11-01'),
        to: need(str(a, 'to'), 'report needs the last day: --to DAY, e.g. --to 2026-11-30', '请用 --to 写上结束日期，例如 --to 2026-11-30'),
        by: str(a, 'by') ?? 'service',
        format,
        rebuild: flag(a, 'rebuild'),
      });
    },
  },
  config: {
    usage: 'check FILE [--json]',
    about: 'validate a config file; every problem is reported with its key path',
    options: jsonOpt,
    positionals: 2,
    run: async (a) => {
      const sub = a.positionals[0];
      if (sub !== undefined && sub !== 'check') throw new UsageError(`config has one subcommand, check (not "${sub}")${closest(sub, ['check']) ? '; did you mean check?' : ''}`, `config 只有 "check" 一个子命令（而不是 "${sub}"）${closest(sub, ['check']) ? '，是不是要用 hallq config check？' : ''}`);
      if (!a.positionals[1]) throw new UsageError('config check needs the file to check, e.g. hallq config check /etc/hallq/hall.yaml', '请写上要检查的配置文件，例如 hallq config check /etc/hallq/hall.yaml');
      return (await import('./config-check.js')).configCheck(a.positionals[1], flag(a, 'json'));
    },
  },
  devices: {
    usage: '[--config FILE] [--json]',
    about: "serial ports, /dev/hallq and /dev/serial/by-id names, and each configured device's health",
    options: { ...configOpt, ...jsonOpt },
    run: async (a) => (await import('./devices.js')).devicesCommand(str(a, 'config'), flag(a, 'json')),
  },
  'print-test': {
    usage: '--config FILE | --png FILE [--config FILE]',
    about: "a test ticket (Chinese, QR, CODE128) and the printer's status; with --png, the ticket drawn as the printer prints it (no printer needed)",
    options: { ...configOpt, png: text },
    run: async (a) => {
      const devices = await import('./devices.js');
      const png = str(a, 'png');
      if (png) return devices.printTestPng(png, str(a, 'config'));
      return devices.printTestCommand(need(str(a, 'config'), 'print-test needs the config (its printer), e.g. hallq print-test --config /etc/hallq/hall.yaml, or --png FILE', '请用 --config 指定配置文件，或用 --png 文件'));
    },
  },
  'screen-test': {
    usage: '--config FILE',
    about: 'a test pattern on every configured LED screen',
    options: configOpt,
    run: async (a) => (await import('./devices.js')).screenTestCommand(need(str(a, 'config'), 'screen-test needs the config (its screens), e.g. hallq screen-test --config /etc/hallq/hall.yaml', '请用 --config 指定配置文件')),
  },
  staff: {
    usage: 'passwd STAFF | list | remove STAFF --config FILE [--json]',
    about: "set a staff member's PIN/password (prompted, or stdin's first line), list staff and who can sign in, or remove a credential",
    options: { ...configOpt, ...jsonOpt },
    positionals: 2,
    run: async (a) => {
      const { staffCommand, StaffUsage } = await import('./staff.js');
      try {
        return await staffCommand(a.positionals, str(a, 'config'), flag(a, 'json'));
      } catch (e) {
        if (e instanceof StaffUsage) throw new UsageError(e.message, e.messageZh);
        throw e;
      }
    },
  },
  broker: {
    usage: '--config FILE --out DIR',
    about: "the broker's ACL and users (Mosquitto format) for the server and every agent of the hall",
    options: { ...configOpt, out: text },
    run: async (a) =>
      (await import('./broker.js')).brokerCommand(need(str(a, 'config'), 'broker needs the hall config, e.g. hallq broker --config /etc/hallq/hall.yaml --out DIR', '请用 --config 指定配置文件'), need(str(a, 'out'), 'broker needs the folder to write to: --out DIR', '请用 --out 指定输出目录'), (line) =>
        process.stdout.write(`${line}\n`),
      ),
  },
  city: {
    usage: 'serve --config city.yaml --password-file F --token-file F | bridge --config hall.yaml --city HOST:PORT,… --remote-password-file F --local-password-file F | nats-config --config city.yaml --node NAME --secrets DIR',
    about: 'many halls, one city (docs/city.md): the city service, a hall\'s bridge to the city cluster, a cluster node\'s config',
    options: { ...configOpt, 'password-file': text, 'token-file': text, city: text, 'remote-password-file': text, 'local-password-file': text, node: text, secrets: text },
    positionals: 1,
    run: async (a) => {
      const city = await import('./city.js');
      const print = (s: string) => process.stdout.write(s);
      // The word first (`city serv`), then what it needs: a typo is said whether --config is given or not.
      const sub = a.positionals[0];
      if (sub === undefined) throw new UsageError('city needs what to do: serve, bridge or nats-config', '请写上 serve、bridge 或 nats-config');
      if (!['serve', 'bridge', 'nats-config'].includes(sub)) throw new UsageError(...notOneOf('city', sub, ['serve', 'bridge', 'nats-config']));
      const config = need(str(a, 'config'), 'city needs its config file: --config FILE', '请用 --config 指定配置文件');
      switch (sub) {
        case 'serve':
          return city.cityServeCommand({ config, ...opt(a, 'password-file', 'passwordFile'), ...opt(a, 'token-file', 'tokenFile') });
        case 'bridge':
          return city.cityBridgeCommand({ config, city: need(str(a, 'city'), 'city bridge needs the city cluster: --city HOST:PORT,…', '请用 --city 写上市级集群地址'), remotePasswordFile: need(str(a, 'remote-password-file'), 'city bridge needs --remote-password-file FILE', '请用 --remote-password-file 指定密码文件'), localPasswordFile: need(str(a, 'local-password-file'), 'city bridge needs --local-password-file FILE', '请用 --local-password-file 指定密码文件') }, print);
        case 'nats-config':
          return city.cityNatsConfigCommand({ config, node: need(str(a, 'node'), 'city nats-config needs the node: --node NAME', '请用 --node 写上节点名'), secrets: need(str(a, 'secrets'), 'city nats-config needs the secrets folder: --secrets DIR', '请用 --secrets 指定密钥目录') }, print);
        default:
          throw new UsageError(...notOneOf('city', sub, ['serve', 'bridge', 'nats-config']));
      }
    },
  },
  emulate: {
    usage: 'printer|idcard|rs485|modem [--pty | --port PATH] [--config FILE] [--png DIR]',
    about: "a device's emulator on a new pty pair (prints the path to use) or a serial port; the printer's --png DIR draws each ticket it prints",
    options: { ...configOpt, pty: { type: 'boolean' }, port: text, png: text },
    positionals: 1,
    run: async (a) => {
      const { EMULATED_KINDS, emulateCommand } = await import('./emulate.js');
      const kind = EMULATED_KINDS.find((k) => k === a.positionals[0]);
      if (kind === undefined && a.positionals[0] !== undefined) throw new UsageError(...notOneOf('emulate', a.positionals[0], EMULATED_KINDS));
      if (kind === undefined) throw new UsageError(`emulate needs the device: one of ${EMULATED_KINDS.join(', ')}`, `请写上要模拟的设备：${EMULATED_KINDS.join('、')}`);
      const port = str(a, 'port');
      const config = str(a, 'config');
      if (flag(a, 'pty') && port) throw new UsageError('emulate takes --pty or --port, not both', '--pty 和 --port 只能选一个');
      const png = str(a, 'png');
      if (png && kind !== 'printer') throw new UsageError('emulate: --png draws tickets, so it goes with the printer only', '--png 只用于打印机');
      return emulateCommand(kind, { print: (line) => process.stdout.write(`${line}\n`), ...(port ? { port } : {}), ...(config ? { config } : {}), ...(png ? { png } : {}) });
    },
  },
};

/** The exit statuses, as the README lists them (4: another hall server serves this hall). */
const exitCodesLine = 'exit codes: 0 ok · 1 failure · 2 usage · 3 invalid config · 4 another server runs (SERVER_RUNNING)';

const usage = `hallq — queue and calling controller for government service halls (政务服务大厅 排队叫号)

usage:
${Object.entries(commands)
  .map(([name, c]) => `  hallq ${name} ${c.usage}\n      ${c.about}`)
  .join('\n')}
  hallq COMMAND --help              that command's usage
  hallq --version                   the installed version

${exitCodesLine}`;

function commandUsage(name: string, c: Subcommand): string {
  return `usage: hallq ${name} ${c.usage}\n  ${c.about}\n\n${exitCodesLine}`;
}

async function run(argv: string[]): Promise<number> {
  const [first, ...rest] = argv;
  if (first === '--version' || first === '-V') {
    process.stdout.write(`hallq ${version()}\n`);
    return exitCodes.ok;
  }
  if (first === undefined || first === '--help' || first === '-h' || (first === 'help' && rest[0] === undefined)) {
    process.stdout.write(`${usage}\n`);
    return first === undefined ? exitCodes.usage : exitCodes.ok;
  }
  if (first === 'help') return run([rest[0] ?? '', '--help']);
  const name = first;
  const cmd = Object.hasOwn(commands, name) ? commands[name] : undefined;
  if (cmd === undefined && name.startsWith('-')) {
    // A global option that is not one (`--versoin`, `-v`): the options there are, and the close one.
    const globals = ['--version', '--help'];
    const guess = name === '-v' ? '--version' : closest(name.replace(/^-+/, ''), globals.map((g) => g.slice(2)));
    const named = guess === undefined ? undefined : guess.startsWith('--') ? guess : `--${guess}`;
    throw new UsageError(`there is no option "${name}" before a command (only --version, -V, --help, -h)${named ? `; did you mean ${named}?` : ''}`, `命令前没有 "${name}" 这个选项（只有 --version、-V、--help、-h）${named ? `，是不是要用 hallq ${named}？` : ''}`);
  }
  if (cmd === undefined) {
    const guess = closest(name, Object.keys(commands));
    const guessed = guess === undefined ? undefined : commands[guess];
    // The usage of the command it looks like, rather than the whole list.
    if (guess !== undefined && guessed !== undefined) throw new UsageError(`there is no command "${name}"; did you mean ${guess}?`, `没有 "${name}" 这个命令，是不是要用 hallq ${guess}？`, commandUsage(guess, guessed));
    // `hallq version`: the global option written as a command.
    if (closest(name, ['version']) !== undefined) throw new UsageError(`there is no command "${name}"; did you mean hallq --version?`, `没有 "${name}" 这个命令，是不是要用 hallq --version？`);
    throw new UsageError(`there is no command "${name}"`, `没有 "${name}" 这个命令`);
  }
  let args: CommandArgs;
  try {
    args = parseArgs({ args: rest, allowPositionals: true, strict: true, options: { ...cmd.options, help: { type: 'boolean', short: 'h' } } });
  } catch (e) {
    if (isParseArgsError(e)) throw new UsageError(...optionWords(name, e, Object.keys(cmd.options ?? {}), rest), commandUsage(name, cmd));
    throw e;
  }
  if (args.values.help === true) {
    process.stdout.write(`${commandUsage(name, cmd)}\n`);
    return exitCodes.ok;
  }
  const extra = args.positionals[cmd.positionals ?? 0];
  if (extra !== undefined) throw new UsageError(`hallq ${name} takes no argument "${extra}"`, `hallq ${name} 不接受参数 "${extra}"`, commandUsage(name, cmd));
  try {
    return await cmd.run(args);
  } catch (e) {
    if (e instanceof UsageError && e.help === undefined) throw new UsageError(e.message, e.messageZh, commandUsage(name, cmd));
    throw e;
  }
}

/**
 * Node's parseArgs says "Unknown option '--speed'. To specify a positional argument starting with a
 * '-', place it after '--'…": in a product's words instead, naming the option and the command.
 */
function optionWords(name: string, e: TypeError, known: readonly string[], argv: readonly string[]): [string, string] {
  // parseArgs names a string option '-c, --config <value>' or '--seed': the long name is the one to show.
  const named = /'(?:-[A-Za-z], )?(--?[^' ]+)/.exec(e.message)?.[1];
  const option = named ?? 'an option';
  const code = 'code' in e ? String(e.code) : '';
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    // Two as close (`--sped`: --speed and --seed): both are offered, the reader picks.
    const guesses = option.startsWith('--') ? closestAll(option.slice(2).split('=')[0] ?? '', known).map((g) => `--${g}`) : [];
    if (guesses.length > 0) return [`hallq ${name} has no option ${option}; did you mean ${guesses.join(' or ')}?`, `hallq ${name} 没有 ${option} 这个选项，是不是要用 ${guesses.join(' 或 ')}？`];
    return [`hallq ${name} has no option ${option}`, `hallq ${name} 没有 ${option} 这个选项`];
  }
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    if (/does not take an argument/.test(e.message)) return [`${option} is a switch: it takes no value (write ${option} alone)`, `${option} 是开关，后面不跟值`];
    // `--seed -1`: parseArgs calls a value that starts with '-' ambiguous; a negative number is out of range.
    const at = argv.findIndex((a) => a === option || (named !== undefined && optionShort(a) === named));
    const next = at >= 0 ? argv[at + 1] : undefined;
    const least = leastOf(option);
    if (next !== undefined && /^-\d/.test(next)) return [`${option} is out of range: a whole number from ${least} up (not "${next}")`, `${option} 超出范围：应为不小于 ${least} 的整数（而不是 "${next}"）`];
    const example = optionExamples[option.replace(/^--/, '')];
    return example === undefined
      ? [`${option} needs a value`, `${option} 后面要写上值`]
      : [`${option} needs a value, e.g. ${option} ${example}`, `${option} 后面要写上值，例如 ${option} ${example}`];
  }
  return [`hallq ${name}: the command line is not as expected`, `hallq ${name} 的写法不对`];
}

/** The smallest value of a number option: --speed 0 would be a busy loop, --days 0 simulates nothing. */
const leastOf = (option: string): number => (option === '--speed' || option === '--days' ? 1 : 0);

/** `-c` is `--config`: the only short string option. */
const optionShort = (arg: string): string | undefined => (arg === '-c' ? '--config' : undefined);

/** A sensible value for each string option, for "needs a value, e.g. …". */
const optionExamples: Readonly<Record<string, string>> = {
  config: '/etc/hallq/hall.yaml',
  server: 'http://127.0.0.1:8080',
  speed: '10',
  seconds: '60',
  seed: '42',
  days: '5',
  windows: '1-4,7',
  from: '2026-03-02',
  to: '2026-03-06',
  by: 'service',
  db: '/var/lib/hallq/hall.db',
  out: '/var/lib/hallq/backup',
  'password-file': '/etc/hallq/city.pass',
  'token-file': '/etc/hallq/city.token',
  'remote-password-file': '/etc/hallq/city.pass',
  'local-password-file': '/etc/hallq/mqtt.pass',
  city: 'city.example:4222',
  node: 'city1',
  secrets: '/etc/hallq/secrets',
  port: '/dev/ttyUSB0',
};

/** `city serv`: the word is not one of the command's own, with the closest one when it looks like a typo. */
function notOneOf(command: string, word: string, options: readonly string[]): [string, string] {
  const guess = closest(word, options);
  return [
    `hallq ${command} has no "${word}": it takes one of ${options.join(', ')}${guess ? `; did you mean ${guess}?` : ''}`,
    `hallq ${command} 没有 "${word}"，可用：${options.map((o) => `"${o}"`).join('、')}${guess ? `；是不是要用 "${guess}"？` : ''}`,
  ];
}

const isParseArgsError = (e: unknown): e is TypeError => e instanceof TypeError && 'code' in e && String(e.code).startsWith('ERR_PARSE_ARGS');

const str = (a: CommandArgs, name: string): string | undefined => {
  const v = a.values[name];
  return typeof v === 'string' ? v : undefined;
};
const flag = (a: CommandArgs, name: string): boolean => a.values[name] === true;
function need(v: string | undefined, message: string, messageZh: string): string {
  if (v === undefined || v === '') throw new UsageError(message, messageZh);
  return v;
}
function wholeNumber(what: string, v: string): number {
  // `--seed=-1`: a number, but below every allowed one.
  if (/^-\d+$/.test(v)) throw new UsageError(`${what} is out of range: a whole number from ${leastOf(what)} up (not "${v}")`, `${what} 超出范围：应为不小于 ${leastOf(what)} 的整数（而不是 "${v}"）`);
  if (!/^\d+$/.test(v)) throw new UsageError(`${what} is a whole number, e.g. ${what} 5 (not "${v}")`, `${what} 应为整数，例如 ${what} 5（而不是 "${v}"）`);
  return Number(v);
}
/** A window is its number, 1 or more (there is no window 0): `hallq call 3`. */
function windowNumber(v: string): number {
  if (!/^\d+$/.test(v) || Number(v) === 0) throw new UsageError(`the window is its number, 1 or more, e.g. hallq call 3 (not "${v}")`, `窗口请写窗口号（从 1 起），例如 hallq call 3（而不是 "${v}"）`);
  return Number(v);
}
const opt = <K extends string>(a: CommandArgs, name: string, key: K): Partial<Record<K, string>> => {
  const v = str(a, name);
  return (v === undefined ? {} : { [key]: v }) as Partial<Record<K, string>>;
};
const int = (a: CommandArgs, name: string): number | undefined => {
  const v = str(a, name);
  return v === undefined ? undefined : wholeNumber(`--${name}`, v);
};
/** A whole number of at least 1 (a speed of 0 would make every timer infinite: a busy loop). */
const positive = (a: CommandArgs, name: string): number | undefined => {
  const n = int(a, name);
  if (n === 0) throw new UsageError(`--${name} is a whole number from 1 up, e.g. --${name} 5 (not 0)`, `--${name} 应为不小于 1 的整数（而不是 0）`);
  return n;
};

/**
 * The hall server: --server, else where --config's server listens (its host, 0.0.0.0 and :: as loopback;
 * https with server.http.tls), else http://127.0.0.1:8080. A --config that cannot be used is said first,
 * never replaced by the default address (the config's problems, not NOT_CONNECTED, are what to fix).
 */
async function serverAddress(a: CommandArgs): Promise<HallServer> {
  const flagged = str(a, 'server');
  if (flagged !== undefined && !isHttpUrl(flagged)) throw new UsageError(`--server is the server's address, e.g. http://127.0.0.1:8080 (not "${flagged}")`, `--server 应为服务器地址，例如 http://127.0.0.1:8080（而不是 "${flagged}"）`);
  const configPath = str(a, 'config');
  const config = configPath ? (await import('../config/load.js')).loadConfigOrThrow(configPath) : undefined;
  const { configServerUrl, pinnedCert } = await import('./server-address.js');
  const url = flagged?.replace(/\/$/, '') ?? (config ? configServerUrl(config) : 'http://127.0.0.1:8080');
  return { url, pinned: pinnedCert(config) };
}

function isHttpUrl(s: string): boolean {
  try {
    const u = new URL(s);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname !== '';
  } catch {
    return false;
  }
}

/** package.json's version: the nearest package.json above this file (src/cli/ in a clone, dist/src/cli/ in a build). */
function version(): string {
  for (let up = '../../'; up.length <= 12; up += '../') {
    try {
      const pkg = JSON.parse(readFileSync(new URL(`${up}package.json`, import.meta.url), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'hallq' && pkg.version) return pkg.version;
    } catch {
      // not at this level
    }
  }
  return 'unknown';
}

/** The program's folder (the clone, or /opt/hallq installed): its config/demo.yaml is the demo's, from whatever folder it is run. */
function programRoot(): string {
  return fileURLToPath(new URL(import.meta.url.includes('/dist/src/') ? '../../../' : '../../', import.meta.url)).replace(/\/$/, '');
}

/** What to run when a package is missing; the same words as bin/hallq.js, which catches it before this file loads. */
function setupHint(pkg: string): { en: string; zh: string } {
  const root = programRoot();
  return existsSync(join(root, 'src'))
    ? { en: `hallq's npm packages are not installed in this clone (${root}: node_modules has no "${pkg}"): run \`npm ci\` in ${root} first`, zh: `源码目录 ${root} 尚未安装 hallq 的 npm 包（node_modules 中没有 "${pkg}"）：请先在该目录运行 npm ci` }
    : { en: `hallq's npm packages are not installed in ${root} (node_modules has no "${pkg}"): run \`npm ci --omit=dev\` in ${root}, or reinstall hallq`, zh: `${root} 尚未安装 hallq 的 npm 包（node_modules 中没有 "${pkg}"）：请在该目录运行 npm ci --omit=dev，或重新安装 hallq` };
}

/** A package missing from node_modules (not one of our own files): the setup was skipped or incomplete. */
function missingPackage(e: unknown): string | undefined {
  if (!(e instanceof Error) || !('code' in e) || e.code !== 'ERR_MODULE_NOT_FOUND') return undefined;
  return /Cannot find package '([^']+)'/.exec(e.message)?.[1];
}

// The daemons (and the city's services) keep serving when their output's reader goes away; every other command ends quietly.
const [command, sub] = process.argv.slice(2);
endQuietlyOnBrokenPipe(command === 'server' || command === 'agent' || (command === 'city' && (sub === 'serve' || sub === 'bridge')));
try {
  process.exitCode = await run(process.argv.slice(2));
} catch (e) {
  const pkg = missingPackage(e);
  if (e instanceof UsageError || isParseArgsError(e)) {
    const zh = e instanceof UsageError ? e.messageZh : '命令写法不对';
    process.stderr.write(`${errorLine({ code: 'USAGE', message: e.message, messageZh: zh })}\n\n${(e instanceof UsageError ? e.help : undefined) ?? usage}\n`);
    process.exitCode = exitCodes.usage;
  } else if (pkg !== undefined) {
    const hint = setupHint(pkg);
    process.stderr.write(`${errorLine({ code: 'MISSING_PACKAGE', message: hint.en, messageZh: hint.zh })}\n`);
    process.exitCode = exitCodes.failure;
  } else {
    // One clear line, whatever failed (a HallqError with its code, a server out of reach, a file not found).
    process.stderr.write(`${errorLine(errorParts(e))}\n`);
    process.exitCode = isHallqError(e, 'CONFIG_INVALID') ? exitCodes.configInvalid : exitCodes.failure;
  }
}
