import type { KeyName } from '../../drivers/keypad/codec.js';
import type { KeypadEmulator } from '../../drivers/keypad/emulator.js';

/**
 * `hallq emulate rs485`'s caller keypad keys: one stdin command for each key README's "Caller keypad keys"
 * documents, each sending the frames that key sends (drivers/keypad/codec.ts), so a rehearsal reaches the
 * driver and the agent's caller flow as a real keypad's press does.
 */
const KEYS: Record<string, { key: KeyName; said: string }> = {
  c: { key: 'call', said: 'call' },
  r: { key: 'recall', said: 'recall' },
  n: { key: 'no-show', said: 'no-show (6 + enter)' },
  p: { key: 'pause', said: 'pause' },
  z: { key: 'suspend', said: 'pause (0 + enter)' },
  u: { key: 'call-back', said: 'resume (3 + enter)' },
  e: { key: 'rating-request', said: 'ask for rating' },
  x: { key: 'cancel', said: 'cancel' },
  m: { key: 'one-metre-line', said: 'one-metre line' },
};

/** A number typed on the keypad: the driver keeps the last 8 digits (drivers/keypad/driver.ts maxLoginDigits). */
const DIGITS = /^\d{1,8}$/;

const HELP_ROWS: [string, string][] = [
  ['c|r|n|p|z|u|e <window>', 'call · recall · no-show (6 + enter) · pause · pause (0 + enter) · resume (3 + enter) · ask for rating'],
  ['t <window> <to>', 'transfer the ticket being served to window <to>: the transfer key, <to>, enter'],
  ['t <window>', 'the transfer key alone (then d and k type the window number, or x cancels)'],
  ['x <window>', 'cancel (ends a transfer waiting for its window number)'],
  ['m <window>', 'one-metre line'],
  ['d <window> <digits>', 'digit keys, one frame each'],
  ['k <window>', 'enter'],
  ['l <window> <staff>', 'log in: the staff number, enter'],
  ['g <window> <grade>', 'a grade on the rating keypad, once the host started rating'],
  ['s', 'what the screens and keypads show'],
  ['h', 'this list'],
  ['q', 'quit'],
];

// Lines after the first are indented under `commands: `, which the emulator prints before the first.
export const KEYPAD_HELP = [
  ...HELP_ROWS.map(([keys, what]) => `${keys.padEnd(24)}${what}`),
  'a keypad has no complete key: c completes the ticket being served and calls the next, p completes it and pauses',
].join(`\n${' '.repeat('commands: '.length)}`);

/** Runs one keypad command on `keypad` (the keypad of window `w`); its answer, or undefined when `cmd` is no keypad command. */
export function keypadCommand(keypad: KeypadEmulator, w: string, cmd: string, arg: string | undefined): string | undefined {
  const simple = KEYS[cmd];
  if (simple && arg === undefined) {
    keypad.press(simple.key);
    return `window ${w}: ${simple.said} pressed`;
  }
  if (cmd === 't' && arg === undefined) {
    keypad.typeTransfer();
    return `window ${w}: transfer pressed (now d <window> <digits>, k <window>; or x <window> to cancel)`;
  }
  if (cmd === 't' && arg !== undefined && DIGITS.test(arg)) {
    keypad.typeTransfer(arg);
    return `window ${w}: transfer, ${arg}, enter pressed`;
  }
  if (cmd === 'd' && arg !== undefined && DIGITS.test(arg)) {
    for (const ch of arg) keypad.pressDigit(Number(ch));
    return `window ${w}: ${arg.split('').join(', ')} pressed`;
  }
  if (cmd === 'k' && arg === undefined) {
    keypad.pressEnter();
    return `window ${w}: enter pressed`;
  }
  if (cmd === 'l' && arg !== undefined && DIGITS.test(arg)) {
    keypad.typeLogin(arg);
    return `window ${w}: login pressed`;
  }
  if (cmd === 'g' && arg !== undefined && /^\d+$/.test(arg)) return keypad.giveGrade(Number(arg)) ? `grade ${arg} given` : 'the host has not started rating on this keypad';
  return undefined;
}
