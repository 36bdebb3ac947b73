import { parseArgs } from 'node:util';
import { isHallqError } from '../../drivers/common/error.js';
import { configCheck } from './config-check.js';
import { exitCodes } from './exit-codes.js';
import { simulateCommand } from './simulate.js';

const usage = `hallq — queue and calling controller for government service halls (政务服务大厅 排队叫号)

usage:
  hallq simulate FILE [--days N] [--seed N] [--windows 1-4,7] [--json]
      simulate hall days on the real core: waits, utilisation, near-SMS lead time
  hallq config check FILE [--json]
      validate a config file; every problem is reported with its key path

exit codes: 0 ok · 1 failure · 2 usage · 3 invalid config`;

function run(argv: string[]): number {
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
    case 'config': {
      if (rest[0] !== 'check' || !rest[1]) throw new UsageError('usage: hallq config check FILE');
      return configCheck(rest[1], values.json);
    }
    default:
      throw new UsageError(`unknown command "${cmd}"`);
  }
}

class UsageError extends Error {}

try {
  process.exitCode = run(process.argv.slice(2));
} catch (e) {
  if (e instanceof UsageError || (e instanceof TypeError && 'code' in e && String(e.code).startsWith('ERR_PARSE_ARGS'))) {
    process.stderr.write(`hallq: ${e.message}\n\n${usage}\n`);
    process.exitCode = exitCodes.usage;
  } else if (isHallqError(e)) {
    process.stderr.write(`hallq: ${e.code}: ${e.message}\n`);
    process.exitCode = e.code === 'CONFIG_INVALID' ? exitCodes.configInvalid : exitCodes.failure;
  } else {
    throw e;
  }
}
