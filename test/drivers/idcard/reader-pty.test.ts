import { afterEach, describe, expect, it } from 'vitest';
import type { HallqError } from '../../../drivers/common/error.js';
import type { IdCardData } from '../../../drivers/idcard/card-data.js';
import type { SamReaderOptions } from '../../../drivers/idcard/driver.js';
import type { SamEmulatorOptions } from '../../../drivers/idcard/emulator.js';
import { TEST_CARDS } from '../../../drivers/idcard/test-cards.js';
import { next, openRig, requests, type Rig } from './rig.js';

let rig: Rig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

async function setup(reader: SamReaderOptions = {}, emulator: SamEmulatorOptions = {}): Promise<Rig> {
  rig = await openRig({ reader, emulator });
  return rig;
}

describe('SamCardReader against SamCardEmulator over a real pty', () => {
  it('reads a card end to end: every field, and the 1024 photo bytes intact', async () => {
    const { reader, emulator } = await setup();
    emulator.placeCard(TEST_CARDS.zhang);
    const got = next<[IdCardData]>(reader, 'card');
    await reader.start();
    const [card] = await got;
    const z = TEST_CARDS.zhang;
    expect(card).toMatchObject({
      name: '张丽华',
      sexCode: '2',
      sex: 'female',
      nationCode: '01',
      birthDate: '19491231',
      address: z.address,
      idNumber: '11010519491231002X',
      issuer: '北京市公安局朝阳分局',
      validFrom: '20100105',
      validTo: '长期',
    });
    expect(card.photo.length).toBe(1024);
    expect(card.photo.equals(z.photo)).toBe(true);
    expect(reader.cardPresent).toBe(true);
  });

  it('reassembles replies that arrive in several pieces', async () => {
    const { reader, emulator, host } = await setup({}, { pieces: 5 });
    emulator.placeCard(TEST_CARDS.zhang);
    let chunks = 0;
    host.onData(() => chunks++);
    const card = await reader.readCard();
    expect(card.photo.equals(TEST_CARDS.zhang.photo)).toBe(true);
    // Three replies (find, select, read), the read alone sent as five paced pieces.
    expect(chunks).toBeGreaterThan(3);
  });

  it('emits one card per insertion, not again while the card stays, and removed when it goes', async () => {
    const { reader, emulator } = await setup();
    const cards: IdCardData[] = [];
    let removed = 0;
    reader.on('card', (c) => cards.push(c));
    reader.on('removed', () => removed++);
    emulator.placeCard(TEST_CARDS.zhang);
    const first = next(reader, 'card');
    await reader.start();
    await first;
    await requests(emulator, 'findCard', 5); // several poll cycles with the card still there
    expect(cards.length).toBe(1);
    const gone = next(reader, 'removed');
    emulator.removeCard();
    await gone;
    expect(reader.cardPresent).toBe(false);
    const second = next<[IdCardData]>(reader, 'card');
    emulator.placeCard(TEST_CARDS.maimaiti);
    const [card] = await second;
    expect(card.name).toBe('买买提·艾力');
    expect(card.nationCode).toBe('05');
    expect(cards.length).toBe(2);
    expect(removed).toBe(1);
  });

  it('keeps a halted card (find fails, select answers) as present until it is lifted', async () => {
    const { reader, emulator } = await setup({}, { haltAfterRead: true });
    let removed = 0;
    reader.on('removed', () => removed++);
    emulator.placeCard(TEST_CARDS.chen);
    const first = next(reader, 'card');
    await reader.start();
    await first;
    await requests(emulator, 'selectCard', 3); // presence probes after find fails
    expect(removed).toBe(0);
    const gone = next(reader, 'removed');
    emulator.removeCard();
    await gone;
  });

  it('fault no-card: readCard rejects CARD_ABSENT and polling stays quiet until the fault clears', async () => {
    const { reader, emulator } = await setup();
    emulator.placeCard(TEST_CARDS.li);
    emulator.inject({ type: 'no-card' });
    await expect(reader.readCard()).rejects.toMatchObject({ code: 'CARD_ABSENT' });
    let cards = 0;
    reader.on('card', () => cards++);
    await reader.start();
    await requests(emulator, 'findCard', 3);
    expect(cards).toBe(0);
    const got = next<[IdCardData]>(reader, 'card');
    emulator.clearFault('no-card');
    expect((await got)[0].idNumber).toBe('310104199003072312');
  });

  it('fault removed-mid-read (reply 41): error CARD_REMOVED, no card, and the next insertion reads', async () => {
    const { reader, emulator } = await setup();
    emulator.placeCard(TEST_CARDS.zhang);
    emulator.inject({ type: 'removed-mid-read', reply: 'read-failed' });
    let cards = 0;
    reader.on('card', () => cards++);
    const err = next<[HallqError]>(reader, 'error');
    await reader.start();
    const [e] = await err;
    expect(e.code).toBe('CARD_REMOVED');
    expect(e.details).toMatchObject({ after: 'CARD_READ_FAILED' });
    expect(cards).toBe(0);
    expect(emulator.hasCard).toBe(false);
    const got = next(reader, 'card');
    emulator.placeCard(TEST_CARDS.zhang);
    await got;
  });

  it('fault removed-mid-read (silence): the read times out and is reported as CARD_REMOVED', async () => {
    const { reader, emulator } = await setup({ timeoutMs: 300 });
    emulator.placeCard(TEST_CARDS.zhang);
    emulator.inject({ type: 'removed-mid-read', reply: 'silence' });
    // The first CARD_REMOVED: on a loaded machine a find or select before the read can miss the 300 ms
    // itself (a DEVICE_TIMEOUT of the poll, the fault still armed for the read that follows); a program that
    // reports the silent read as DEVICE_TIMEOUT never sends one and the test times out.
    const err = new Promise<HallqError>((resolve) => reader.on('error', (x: HallqError) => x.code === 'CARD_REMOVED' && resolve(x)));
    await reader.start();
    const e = await err;
    expect(e.code).toBe('CARD_REMOVED');
    expect(e.details).toMatchObject({ after: 'DEVICE_TIMEOUT' });
  });

  it('card unreadable while it stays: CARD_READ_FAILED', async () => {
    const { reader, emulator } = await setup();
    emulator.placeCard(TEST_CARDS.zhang);
    // The read is answered 41 (the card slipped), but the card is back when the driver looks again.
    emulator.on('request', (name) => {
      if (name === 'readText') emulator.removeCard();
      else if (name === 'findCard' && !emulator.hasCard) emulator.placeCard(TEST_CARDS.zhang);
    });
    await expect(reader.readCard()).rejects.toMatchObject({ code: 'CARD_READ_FAILED' });
  });

  it('fault bad-checksum on the read reply: readCard rejects DEVICE_CHECKSUM', async () => {
    const { reader, emulator } = await setup();
    emulator.placeCard(TEST_CARDS.zhang);
    emulator.on('request', (name) => {
      if (name === 'readText') emulator.inject({ type: 'bad-checksum' }, 1);
    });
    await expect(reader.readCard()).rejects.toMatchObject({ code: 'DEVICE_CHECKSUM', details: { command: 'readText', kind: 'bad-checksum' } });
    // The link recovers: the next read is clean.
    emulator.removeAllListeners('request');
    expect((await reader.readCard()).idNumber).toBe('11010519491231002X');
  });

  it('fault bad-checksum while polling: error DEVICE_CHECKSUM once, and health goes bad', async () => {
    const { reader, emulator } = await setup();
    emulator.inject({ type: 'bad-checksum' });
    const errors: HallqError[] = [];
    reader.on('error', (e) => errors.push(e));
    const health = next<[{ ok: boolean; error?: HallqError }]>(reader, 'health');
    await reader.start();
    const [h] = await health;
    expect(h.ok).toBe(false);
    expect(h.error?.code).toBe('DEVICE_CHECKSUM');
    await requests(emulator, 'findCard', 3);
    // Repeats of the same failure are reported once.
    expect(errors.map((e) => e.code)).toEqual(['DEVICE_CHECKSUM']);
  });

  it('fault slow replies within the timeout: the read succeeds, later', async () => {
    const { reader, emulator } = await setup({ timeoutMs: 2000 });
    emulator.placeCard(TEST_CARDS.li);
    emulator.inject({ type: 'slow', delayMs: 150 });
    const t0 = performance.now();
    const card = await reader.readCard();
    expect(card.name).toBe('李明');
    expect(performance.now() - t0).toBeGreaterThanOrEqual(3 * 150 - 5); // find, select, read each delayed
  });

  it('fault slow replies beyond the timeout: DEVICE_TIMEOUT', async () => {
    const { reader, emulator } = await setup({ timeoutMs: 200 });
    emulator.placeCard(TEST_CARDS.li);
    emulator.inject({ type: 'slow', delayMs: 500 });
    await expect(reader.readCard()).rejects.toMatchObject({ code: 'DEVICE_TIMEOUT', details: { command: 'findCard' } });
  });

  it('fault missing replies: DEVICE_TIMEOUT and bad health; health and reads come back when replies do', async () => {
    const { reader, emulator } = await setup({ timeoutMs: 200 });
    emulator.placeCard(TEST_CARDS.zhang);
    emulator.inject({ type: 'no-reply' });
    const err = next<[HallqError]>(reader, 'error');
    const sick = next<[{ ok: boolean }]>(reader, 'health');
    await reader.start();
    expect((await err)[0].code).toBe('DEVICE_TIMEOUT');
    expect((await sick)[0].ok).toBe(false);
    const well = next<[{ ok: boolean }]>(reader, 'health');
    const card = next(reader, 'card');
    emulator.clearFault('no-reply');
    expect((await well)[0].ok).toBe(true);
    await card;
  });

  it('fault reader not authorised (66): error DEVICE_NAK carrying the status', async () => {
    const { reader, emulator } = await setup();
    emulator.placeCard(TEST_CARDS.zhang);
    emulator.inject({ type: 'not-authorised' });
    const err = next<[HallqError]>(reader, 'error');
    await reader.start();
    const [e] = await err;
    expect(e.code).toBe('DEVICE_NAK');
    expect(e.details).toMatchObject({ status: 'not-authorised', sw3: 0x66 });
  });

  it('answers the housekeeping commands: reset, status, SAM id, appended address, baud switch', async () => {
    const { reader, emulator } = await setup();
    await reader.reset();
    await reader.status();
    expect(await reader.readSamId()).toMatch(/^[0-9a-f]{32}$/);
    emulator.placeCard(TEST_CARDS.li);
    await reader.readCard();
    expect(await reader.readAppendedAddress()).toBe('上海市闵行区莘庄镇莘建路18号202室');
    emulator.placeCard(TEST_CARDS.zhang);
    await reader.readCard();
    expect(await reader.readAppendedAddress()).toBeUndefined();
    const baud = next<[number]>(emulator, 'baud');
    await reader.setBaudRate(9600);
    expect((await baud)[0]).toBe(9600);
  });

  it('reads the fingerprint block with 30 10', async () => {
    const { reader, emulator } = await setup({ withFingerprint: true });
    emulator.placeCard(TEST_CARDS.li);
    const card = await reader.readCard();
    expect(card.fingerprint?.equals(TEST_CARDS.li.fingerprint)).toBe(true);
    expect(card.photo.equals(TEST_CARDS.li.photo)).toBe(true);
  });

  it('closes promptly mid-command, without reporting the close as a fault', async () => {
    const r = await setup({ timeoutMs: 5000 });
    r.emulator.inject({ type: 'no-reply' });
    const errors: HallqError[] = [];
    r.reader.on('error', (e) => errors.push(e));
    const asked = requests(r.emulator, 'status', 1);
    await r.reader.start();
    await asked; // a command is now waiting for a reply that will never come
    const t0 = performance.now();
    await r.reader.close();
    expect(performance.now() - t0).toBeLessThan(2000);
    expect(errors).toEqual([]);
  });
});
