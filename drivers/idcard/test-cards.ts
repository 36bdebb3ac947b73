/**
 * Fictitious cards for the emulator: realistic field shapes, invented people, ID numbers with
 * valid GB 11643 check digits (11010519491231002X is the widely published sample number).
 */
import type { IdCardData } from './card-data.js';
import { PHOTO_BYTES, FINGERPRINT_BYTES } from './card-data.js';
import { PREAMBLE } from './sam-codec.js';

/** What the emulator holds for a card: the card's fields as stored, plus the optional appended address. */
export type EmulatedCard = Omit<IdCardData, 'sex'> & { appendedAddress?: string };

/**
 * Stand-in WLT bytes: deterministic noise from the seed, with a SAM preamble planted inside, so a
 * framer that hunts for preambles inside a frame's data (instead of trusting LEN) is caught out.
 */
export function fakeBlock(seed: string, size: number): Buffer {
  const out = Buffer.alloc(size);
  let x = 0x811c9dc5;
  for (const ch of seed) x = Math.imul(x ^ ch.charCodeAt(0), 0x01000193) >>> 0;
  for (let i = 0; i < size; i++) {
    // xorshift32
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = x & 0xff;
  }
  out.set(PREAMBLE, 100);
  return out;
}

function card(fields: Omit<EmulatedCard, 'photo'>): EmulatedCard {
  return { ...fields, photo: fakeBlock(fields.idNumber, PHOTO_BYTES) };
}

export const TEST_CARDS = {
  /** Female, born 1949, so her card is valid 长期 (long term). */
  zhang: card({
    name: '张丽华',
    sexCode: '2',
    nationCode: '01',
    birthDate: '19491231',
    address: '北京市朝阳区建国路88号院3号楼2单元501室',
    idNumber: '11010519491231002X',
    issuer: '北京市公安局朝阳分局',
    validFrom: '20100105',
    validTo: '长期',
  }),
  /** Male, with a fingerprint block and an appended address (moved house). */
  li: {
    ...card({
      name: '李明',
      sexCode: '1',
      nationCode: '01',
      birthDate: '19900307',
      address: '上海市徐汇区漕溪北路100弄5号601室',
      idNumber: '310104199003072312',
      issuer: '上海市公安局徐汇分局',
      validFrom: '20150610',
      validTo: '20350610',
      appendedAddress: '上海市闵行区莘庄镇莘建路18号202室',
    }),
    fingerprint: fakeBlock('li-fingerprint', FINGERPRINT_BYTES),
  },
  /** Uyghur (nation 05), a name with the middle dot. */
  maimaiti: card({
    name: '买买提·艾力',
    sexCode: '1',
    nationCode: '05',
    birthDate: '19850615',
    address: '新疆乌鲁木齐市天山区解放南路20号',
    idNumber: '650102198506150037',
    issuer: '乌鲁木齐市公安局天山区分局',
    validFrom: '20180315',
    validTo: '20380315',
  }),
  /** Female, issued at 16, so a ten-year card. */
  chen: card({
    name: '陈晓雯',
    sexCode: '2',
    nationCode: '01',
    birthDate: '20010228',
    address: '广东省深圳市南山区科技园南路12号',
    idNumber: '440305200102281525',
    issuer: '深圳市公安局南山分局',
    validFrom: '20170301',
    validTo: '20270301',
  }),
} as const satisfies Record<string, EmulatedCard>;

export type TestCardName = keyof typeof TEST_CARDS;
