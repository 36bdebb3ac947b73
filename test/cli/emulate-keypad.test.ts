import { describe, expect, it } from 'vitest';
import { decodeKeypadFrame, HOST_SIDE, parseFrame } from '../../drivers/keypad/codec.js';
import { encodeCompactIdle, encodeCompactPoll } from '../../drivers/keypad/compact.js';
import { KeypadEmulator } from '../../drivers/keypad/emulator.js';
import { KEYPAD_HELP, keypadCommand } from '../../src/cli/emulate-keypad.js';

const hex = (b: Buffer) => b.toString('hex').toUpperCase().replace(/(..)(?=.)/g, '$1 ');

/** What the keypad sends for `words`, read off the line as the host reads it: poll, report, echo, until it answers idle. */
function sent(address: number, words: string): string[] {
  const keypad = new KeypadEmulator({ address });
  const [cmd, arg] = words.split(' ') as [string, string | undefined];
  expect(keypadCommand(keypad, String(address), cmd, arg)).toMatch(/pressed$|pressed \(/);
  const idle = encodeCompactIdle(address);
  const frames: string[] = [];
  for (let polls = 0; polls < 20; polls++) {
    const [reply] = keypad.hear(encodeCompactPoll(address));
    if (!Buffer.isBuffer(reply)) throw new Error('no reply to a poll');
    if (reply.equals(idle)) return frames;
    frames.push(hex(reply));
    // The host's acknowledgement, an echo: the keypad drops the frame.
    keypad.hear(reply);
  }
  throw new Error('the keypad never went idle');
}

/**
 * Golden bytes of the keys `hallq emulate rs485` gained (tryout: no transfer, cancel, … could be rehearsed):
 * each command sends the frames the real keypad sends for it (drivers/keypad/README.md), FUNC 01.
 */
describe('hallq emulate rs485: the keypad frames of each key command', () => {
  it('t <window> <to>: transfer, the window number one digit a frame, enter alone', () => {
    expect(sent(1, 't 3')).toEqual(['FF 68 03 03 68 01 01 13 15 16', 'FF 68 03 03 68 01 01 03 05 16', 'FF 68 03 03 68 01 01 0F 11 16']);
    // Window 6: the digit and enter apart, never 06 0F (no-show) in one frame.
    expect(sent(12, 't 6')).toEqual(['FF 68 03 03 68 0C 01 13 20 16', 'FF 68 03 03 68 0C 01 06 13 16', 'FF 68 03 03 68 0C 01 0F 1C 16']);
    expect(sent(2, 't 12')).toEqual(['FF 68 03 03 68 02 01 13 16 16', 'FF 68 03 03 68 02 01 01 04 16', 'FF 68 03 03 68 02 01 02 05 16', 'FF 68 03 03 68 02 01 0F 12 16']);
  });

  it('t <window>, x, m, z, d, k: one key each', () => {
    expect(sent(1, 't')).toEqual(['FF 68 03 03 68 01 01 13 15 16']);
    expect(sent(1, 'x')).toEqual(['FF 68 03 03 68 01 01 0E 10 16']);
    expect(sent(1, 'm')).toEqual(['FF 68 03 03 68 01 01 11 13 16']);
    expect(sent(1, 'z')).toEqual(['FF 68 04 04 68 01 01 00 0F 11 16']);
    expect(sent(1, 'd 40')).toEqual(['FF 68 03 03 68 01 01 04 06 16', 'FF 68 03 03 68 01 01 00 02 16']);
    expect(sent(1, 'k')).toEqual(['FF 68 03 03 68 01 01 0F 11 16']);
  });

  it('the keys it had still send theirs', () => {
    expect(sent(1, 'c')).toEqual(['FF 68 03 03 68 01 01 0C 0E 16']);
    expect(sent(1, 'n')).toEqual(['FF 68 04 04 68 01 01 06 0F 17 16']);
    expect(sent(1, 'u')).toEqual(['FF 68 04 04 68 01 01 03 0F 14 16']);
    expect(sent(1, 'l 7')).toEqual(['FF 68 03 03 68 01 01 07 09 16', 'FF 68 03 03 68 01 01 0F 11 16']);
  });

  it('each frame reads back as the key it stands for (host side)', () => {
    const keys = (words: string) => sent(1, words).map((f) => decodeKeypadFrame(parseFrame(Buffer.from(f.replace(/ /g, ''), 'hex'), HOST_SIDE)!));
    expect(keys('t 3').map((m) => m.type === 'key' ? m.key : m.type)).toEqual(['transfer', 'digit', 'enter']);
    expect(keys('x')).toMatchObject([{ type: 'key', key: 'cancel' }]);
    expect(keys('m')).toMatchObject([{ type: 'key', key: 'one-metre-line' }]);
    expect(keys('z')).toMatchObject([{ type: 'key', key: 'suspend' }]);
  });

  it('refuses what is no key command, and the help lists every one', () => {
    const keypad = new KeypadEmulator({ address: 1 });
    for (const [cmd, arg] of [['t', '3a'], ['c', '2'], ['d', undefined], ['k', '1'], ['y', undefined], ['l', 'x']] as const) expect(keypadCommand(keypad, '1', cmd, arg)).toBeUndefined();
    expect(keypad.pending).toBe(0);
    for (const row of ['c|r|n|p|z|u|e <window>', 't <window> <to>', 't <window> ', 'x <window>', 'm <window>', 'd <window> <digits>', 'k <window>', 'l <window> <staff>', 'g <window> <grade>', 'no complete key']) expect(KEYPAD_HELP).toContain(row);
  });
});
