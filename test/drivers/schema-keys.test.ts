import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { invalidText } from '../../drivers/common/invalid-text.js';
import { schemaKeysAt } from '../../drivers/common/schema-keys.js';

/** issue #13: of a union, the keys of the option the input selects, or of the closest option when none is. */
const usblp = z.strictObject({ transport: z.literal('usblp'), path: z.string(), readBack: z.boolean().optional() });
const serial = z.strictObject({ transport: z.literal('serial'), path: z.string(), baudRate: z.number().optional() });
const tcp = z.strictObject({ transport: z.literal('tcp'), host: z.string(), port: z.number().optional() });
const devices = z.strictObject({ printer: z.discriminatedUnion('transport', [usblp, serial, tcp]).optional() });

describe('schemaKeysAt: the union option the input selects', () => {
  it('by its discriminator', () => {
    expect(schemaKeysAt(devices, ['printer'], { printer: { transport: 'usblp' } })).toEqual(['transport', 'path', 'readBack']);
    expect(schemaKeysAt(devices, ['printer'], { printer: { transport: 'tcp' } })).toEqual(['transport', 'host', 'port']);
  });

  it('none selected (no discriminator, or one none has): the options whose keys the input shares most', () => {
    expect(schemaKeysAt(devices, ['printer'], { printer: { host: 'p', port: 9100 } })).toEqual(['transport', 'host', 'port']);
    expect(schemaKeysAt(devices, ['printer'], { printer: { transport: 'usb', path: '/dev/usb/lp0' } })).toEqual(['transport', 'path', 'readBack', 'baudRate']);
    // Nothing in common: every option's keys, as without the input.
    expect(schemaKeysAt(devices, ['printer'], { printer: { zzz: 1 } })).toEqual(['transport', 'path', 'readBack', 'baudRate', 'host', 'port']);
    expect(schemaKeysAt(devices, ['printer'])).toEqual(['transport', 'path', 'readBack', 'baudRate', 'host', 'port']);
  });

  it('a plain union of objects: the option whose literal keys the input matches', () => {
    const plain = z.strictObject({ out: z.union([z.strictObject({ kind: z.literal('wav'), wavDir: z.string() }), z.strictObject({ kind: z.literal('aplay'), device: z.string().optional() })]) });
    expect(schemaKeysAt(plain, ['out'], { out: { kind: 'aplay', devce: 'hw:0' } })).toEqual(['kind', 'device']);
    // zod gives the unknown key of the one option that was not refused outright; answered from that option only.
    const words = (input: unknown) => {
      const r = plain.safeParse(input);
      return r.success ? [] : invalidText(r.error.issues, { schema: plain, input, values: 'shown' }).lines.map((l) => l.en);
    };
    expect(words({ out: { kind: 'aplay', devise: 'hw:0' } })).toEqual(['out.devise: unknown key (did you mean device?)']);
    expect(words({ out: { kind: 'aplay', wavdir: '/tmp' } })).toEqual(['out.wavdir: unknown key (check the spelling)']);
  });
});
