import { parseArgs } from 'node:util';
import { isHallqError } from '../../drivers/common/error.js';
import { loadConfigFile } from '../config/load.js';
import { commandCommand, queueCommand, statusCommand } from './client.js';
import { brokerCommand } from './broker.js';
import { configCheck } from './config-check.js';
import { daemon } from './daemon.js';
import { devicesCommand, printTestCommand, screenTestCommand } from './devices.js';
import { EMULATED_KINDS, emulateCommand, type EmulatedKind } from './emulate.js';
import { runDemo } from '../demo/demo.js';
import { exitCodes } from './exit-codes.js';
import { simulateCommand } from './simulate.js';
import { staffCommand, StaffUsage } from './staff.js';
import { cliTokenFor } from './client.js';

const usage = `hallq — queue and calling controller for government service halls (政务服务大厅 排队叫号)

usage:
  hallq demo [--config FILE] [--speed N] [--seconds N]
      the whole hall on one box: embedded broker, server, agent, emulated devices, citizens
  hallq server --config FILE        run the hall server (systemd: Type=notify)
  hallq agent --config FILE         run the mini-PC agent
  hallq staff passwd STAFF --config FILE   set a staff member's PIN/password (prompted, or stdin's first line)
  hallq staff list --config FILE    staff, roles and who can sign in · hallq staff remove STAFF --config FILE
  hallq status [--server URL]       server health and every window
  hallq queue [--server URL]        waiting, issued and served per service
  hallq issue SERVICE [--server URL]
  hallq call WINDOW [--server URL]  call the next ticket at a window
  hallq simulate FILE [--days N] [--seed N] [--windows 1-4,7] [--json]
      simulate hall days on the real core: waits, utilisation, near-SMS lead time
  hallq broker --config FILE --out DIR
      the broker's ACL and users (Mosquitto format) for the server and every agent of the hall
  hallq config check FILE [--json]
      validate a config file; every problem is reported with its key path
  hallq devices [--config FILE] [--json]
      serial ports, /dev/hallq and /dev/serial/by-id names, and each configured device's health
  hallq print-test --config FILE    a test ticket (Chinese, QR, CODE128) and the printer's status
  hallq screen-test --config FILE   a test pattern on every configured LED screen
  hallq emulate printer|idcard|rs485|modem [--pty | --port PATH] [--config FILE]
      a device's emulator on a new pty pair (prints the path to use) or a serial port

exit codes: 0 ok · 1 failure · 2 usage · 3 invalid config`;

async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      json: { type: 'boolean', default: false },
      days: { type: 'string' },
      seed: { type: 'string' },
      windows: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
      config: { type: 'string', short: 'c' },
      speed: { type: 'string' },
      seconds: { type: 'string' },
      server: { type: 'string' },
      pty: { type: 'boolean', default: false },
      port: { type: 'string' },
      out: { type: 'string' },
    },
  });
  const [cmd, ...rest] = positionals;
  if (values.help || cmd === undefined || cmd === 'help') {
    process.stdout.write(`${usage}\n`);
    return values.help || cmd === 'help' ? exitCodes.ok : exitCodes.usage;
  }
  const int = (name: string, v: string | undefined): number | undefined => {
    if (v === undefined) return undefined;
    if (!/^\d+$/.test(v)) throw new UsageError(`--${name}: expected a whole number, found ${v}`);
    return Number(v);
  };
  switch (cmd) {
    case 'simulate': {
      const file = rest[0];
      if (!file) throw new UsageError('simulate: which config file? e.g. hallq simulate config/demo.yaml');
      const days = int('days', values.days);
      const seed = int('seed', values.seed);
      return simulateCommand(file, { json: values.json, ...(days === undefined ? {} : { days }), ...(seed === undefined ? {} : { seed }), ...(values.windows === undefined ? {} : { windows: values.windows }) });
    }
    case 'demo': {
      const speed = int('speed', values.speed) ?? 1;
      const seconds = int('seconds', values.seconds);
      const demo = await runDemo({
        config: values.config ?? 'config/demo.yaml',
        mqttPort: 1883,
        httpPort: 8080,
        kioskPort: 8081,
        speed,
        seed: int('seed', values.seed) ?? Date.now() % 100_000,
        print: (line) => process.stdout.write(`${line}\n`),
        ...(seconds === undefined ? {} : { seconds }),
      });
      const stop = () => void demo.stop();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      // Output piped into `head` and closed: stop quietly.
      process.stdout.on('error', stop);
      await demo.stopped;
      return exitCodes.ok;
    }
    case 'server':
    case 'agent': {
      if (!values.config) throw new UsageError(`${cmd}: which config? e.g. hallq ${cmd} --config /etc/hallq/hall.yaml`);
      return daemon(cmd, values.config);
    }
    case 'status':
    case 'queue':
    case 'issue':
    case 'call': {
      const base = serverUrl(values.server, values.config);
      // The server's CLI token file (next to its database): readable on the server box by root and the hallq user.
      const token = cliTokenFor(values.config);
      if (cmd === 'status') return statusCommand(base, values.json, token);
      if (cmd === 'queue') return queueCommand(base, values.json, token);
      const arg = rest[0];
      if (!arg) throw new UsageError(`${cmd}: ${cmd === 'issue' ? 'which service?' : 'which window?'}`);
      if (cmd === 'issue') return commandCommand(base, { type: 'IssueTicket', serviceId: arg, delivery: 'none' }, values.json, token);
      const window = int('window', arg);
      return commandCommand(base, { type: 'CallNext', window }, values.json, token);
    }
    case 'staff':
      return staffCommand(rest, values.config, values.json);
    case 'config': {
      if (rest[0] !== 'check' || !rest[1]) throw new UsageError('usage: hallq config check FILE');
      return configCheck(rest[1], values.json);
    }
    case 'broker': {
      if (!values.config || !values.out) throw new UsageError('broker: hallq broker --config FILE --out DIR');
      return brokerCommand(values.config, values.out, (line) => process.stdout.write(`${line}\n`));
    }
    case 'devices':
      return devicesCommand(values.config, values.json);
    case 'print-test':
    case 'screen-test': {
      if (!values.config) throw new UsageError(`${cmd}: which config? e.g. hallq ${cmd} --config /etc/hallq/hall.yaml`);
      return cmd === 'print-test' ? printTestCommand(values.config) : screenTestCommand(values.config);
    }
    case 'emulate': {
      const kind = rest[0];
      if (!kind || !(EMULATED_KINDS as readonly string[]).includes(kind)) throw new UsageError(`emulate: which device? one of ${EMULATED_KINDS.join(', ')}`);
      if (values.pty && values.port) throw new UsageError('emulate: --pty or --port, not both');
      return emulateCommand(kind as EmulatedKind, {
        print: (line) => process.stdout.write(`${line}\n`),
        ...(values.port ? { port: values.port } : {}),
        ...(values.config ? { config: values.config } : {}),
      });
    }
    default:
      throw new UsageError(`unknown command "${cmd}"`);
  }
}

class UsageError extends Error {}

/** The server's HTTP address: --server, else the config's server.http port on this machine. */
function serverUrl(flag: string | undefined, configPath: string | undefined): string {
  if (flag) return flag.replace(/\/$/, '');
  if (configPath) {
    const r = loadConfigFile(configPath);
    if (r.ok) return `http://127.0.0.1:${r.config.server.http.port}`;
  }
  return 'http://127.0.0.1:8080';
}

try {
  process.exitCode = await run(process.argv.slice(2));
} catch (e) {
  if (e instanceof UsageError || e instanceof StaffUsage || (e instanceof TypeError && 'code' in e && String(e.code).startsWith('ERR_PARSE_ARGS'))) {
    process.stderr.write(`hallq: ${e.message}\n\n${usage}\n`);
    process.exitCode = exitCodes.usage;
  } else if (isHallqError(e)) {
    process.stderr.write(`hallq: ${e.code}: ${e.message}\n`);
    process.exitCode = e.code === 'CONFIG_INVALID' ? exitCodes.configInvalid : exitCodes.failure;
  } else {
    // Anything else (a server out of reach, a file not found): one clear line, exit 1.
    const cause = e instanceof Error && e.cause instanceof Error ? `: ${e.cause.message}` : '';
    process.stderr.write(`hallq: ${e instanceof Error ? e.message : String(e)}${cause}\n`);
    process.exitCode = exitCodes.failure;
  }
}
