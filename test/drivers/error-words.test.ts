/**
 * An error in words (drivers/common/system-words.ts errorWords): by its errno code, else by libuv's own
 * text in a message with no code, as serialport's bindings give ("bad file descriptor": the tryout's log).
 */
import { describe, expect, it } from 'vitest';
import { errorWords } from '../../drivers/common/system-words.js';

describe('errorWords', () => {
  it('reads the code first, then a libuv text in the message, and never repeats the message', () => {
    expect(errorWords(Object.assign(new Error('EACCES: permission denied, open /dev/ttyS0'), { code: 'EACCES' })).en).toBe('this user may not use it (permission denied)');
    expect(errorWords(new Error('bad file descriptor'))).toEqual({ en: 'the device went away (unplugged, or its port closed under it)', zh: '设备已断开（被拔出，或端口已被关闭）' });
    expect(errorWords(new Error('Error: Input/output error Setting custom baud rate')).en).toBe('the disk or device reported an input/output error');
    // A cause's code counts (HallqError wraps).
    expect(errorWords(new Error('wrapped', { cause: Object.assign(new Error('x'), { code: 'ENXIO' }) })).en).toBe('there is no such device (unplugged?)');
    const unknown = errorWords(new Error('something only the add-on says about 13800138000'));
    expect(unknown.en).toBe('the system refused it');
    expect(JSON.stringify(unknown)).not.toContain('13800138000');
    expect(errorWords('not an error').en).toBe('the system refused it');
  });
});
