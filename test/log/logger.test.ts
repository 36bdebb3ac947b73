import { describe, expect, it } from 'vitest';
import type { Logger } from '../../drivers/common/logger.js';
import { HallqError } from '../../drivers/common/error.js';
import { createLogger, REDACTED, scrubPersonalData } from '../../src/log/logger.js';

// Fakes in the real formats: an 18-character resident ID (one with the X check character) and mobile numbers.
const ID = '320102199001011234';
const ID_X = '11010519491231002X';
const PHONE = '13812345678';
const PHONE2 = '15987654321';
const NAME = '王小明';
const ADDRESS = '南京市玄武区中山路1号';
const ID_MASKED = '3201**********1234';
const PHONE_MASKED = '138****5678';
const NAME_MASKED = '王*明';

function capture(component?: string) {
  const lines: string[] = [];
  const logger = createLogger({ level: 'debug', ...(component === undefined ? {} : { component }), destination: { write: (s: string) => void lines.push(s) } });
  return {
    logger,
    text: () => lines.join(''),
    records: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

function expectNoRaw(text: string, ...raws: string[]) {
  for (const raw of raws) expect(text, `raw value ${raw} leaked`).not.toContain(raw);
}

describe('createLogger', () => {
  it('writes JSON lines with the component of the logger and of its children', () => {
    const { logger, records } = capture('agent');
    logger.info({ ticket: 'A001' }, 'issued');
    logger.child({ component: 'printer' }).warn({ paper: 'low' }, 'paper low');
    const [a, b] = records();
    expect(a).toMatchObject({ component: 'agent', ticket: 'A001', msg: 'issued', level: 30 });
    expect(b).toMatchObject({ component: 'agent.printer', paper: 'low', level: 40 });
  });

  it('never writes a key twice on one line: a child binding a key its parent has merges it into one path', () => {
    const { logger, text, records } = capture('server');
    const store = logger.child({ component: 'store', path: '/var/lib/hallq/hall.db' });
    store.child({ device: 'printer' }).child({ device: 'usblp', component: 'sql' }).info({ seq: 3 }, 'x');
    logger.child({ component: 'server' }).warn({}, 'same name');
    const line = text().split('\n')[0] ?? '';
    for (const key of ['component', 'device', 'path', 'level', 'msg']) expect(line.split(`"${key}":`).length - 1, `${key} in ${line}`).toBeLessThanOrEqual(1);
    expect(records()[0]).toMatchObject({ component: 'server.store.sql', device: 'printer.usblp', path: '/var/lib/hallq/hall.db', seq: 3 });
    expect(records()[1]).toMatchObject({ component: 'server', level: 40 });
  });

  it("never writes a key twice when the call's object repeats a bound key: the same value once, a different one renamed", () => {
    const { logger, text, records } = capture('agent');
    const caller = logger.child({ component: 'caller', window: 3 });
    caller.info({ window: 3, command: 'CallNext' }, 'refused');
    caller.info({ window: 5, component: 'x' }, 'other');
    const lines = text().split('\n').filter((l) => l !== '');
    for (const line of lines) for (const key of ['window', 'component']) expect(line.split(`"${key}":`).length - 1, `${key} in ${line}`).toBe(1);
    expect(records()[0]).toMatchObject({ component: 'agent.caller', window: 3, command: 'CallNext', msg: 'refused' });
    expect(records()[1]).toMatchObject({ component: 'agent.caller', window: 3, logged_window: 5, logged_component: 'x' });
  });

  it('a merged child keeps its parent level and its own level when given', () => {
    const { logger, records } = capture('server');
    const quiet = logger.child({ component: 'a' }, { level: 'warn' });
    quiet.child({ component: 'b' }).info({}, 'dropped');
    quiet.child({ component: 'b' }).error({}, 'kept');
    logger.child({ component: 'c' }, { level: 'error' }).child({ component: 'd' }, { level: 'debug' }).debug({}, 'debug kept');
    expect(records().map((r) => [r.component, r.msg])).toEqual([
      ['server.a.b', 'kept'],
      ['server.c.d', 'debug kept'],
    ]);
  });

  it('is a drivers Logger', () => {
    const l: Logger = capture().logger;
    expect(typeof l.child).toBe('function');
  });

  it('redacts every known personal key at the top level and one level down, keeping other fields', () => {
    const { logger, records, text } = capture();
    logger.info({
      ticket: 'A001',
      window: 3,
      idNumber: 'raw-idNumber',
      idNo: 'raw-idNo',
      name: NAME,
      phone: 'raw-phone',
      phoneNumber: 'raw-phoneNumber',
      mobile: 'raw-mobile',
      address: ADDRESS,
      photo: 'raw-photo-base64',
      text: 'raw-tts-text',
      holder: { name: 'raw-holder-name', mobile: 'raw-holder-mobile', seat: 7 },
    });
    expectNoRaw(text(), 'raw-', NAME, ADDRESS);
    const [r] = records();
    expect(r).toMatchObject({ ticket: 'A001', window: 3, name: REDACTED, address: REDACTED, photo: REDACTED, text: REDACTED });
    expect(r?.holder).toEqual({ name: REDACTED, mobile: REDACTED, seat: 7 });
  });

  it('redacts personal keys nested deeper than a redact path reaches', () => {
    const { logger, text, records } = capture();
    logger.info({ event: { payload: { holder: { name: NAME, address: ADDRESS, idNo: 'raw-deep-idNo' } }, seq: 41 } });
    expectNoRaw(text(), NAME, ADDRESS, 'raw-deep-idNo');
    expect(records()[0]).toMatchObject({ event: { seq: 41, payload: { holder: { name: REDACTED } } } });
  });

  it('keeps only idHash, idMasked and nameMasked of a person, at any depth', () => {
    const { logger, records, text } = capture();
    const person = { idHash: 'h:9f2c', idMasked: ID_MASKED, nameMasked: NAME_MASKED, name: NAME, idNumber: ID, birthDate: '1990-01-01', ethnicity: '汉' };
    logger.info({ person, ticket: { number: 'B007', person } });
    expectNoRaw(text(), NAME, ID, '1990-01-01', '汉');
    const [r] = records();
    const kept = { idHash: 'h:9f2c', idMasked: ID_MASKED, nameMasked: NAME_MASKED, name: REDACTED, idNumber: REDACTED, birthDate: REDACTED, ethnicity: REDACTED };
    expect(r?.person).toEqual(kept);
    expect(r?.ticket).toEqual({ number: 'B007', person: kept });
  });

  it('scrubs ID and mobile numbers from unknown fields, arrays, numbers and errors, leaving masked forms', () => {
    const { logger, text } = capture();
    logger.info({
      note: `回访 ${PHONE}，证件 ${ID}`,
      remark: `holder id=${ID_X}`,
      contacts: [`+86 138 1234 5678`, `0086${PHONE2}`, `159-8765-4321`],
      callback: Number(PHONE),
      shown: `${PHONE_MASKED} ${ID_MASKED} ${NAME_MASKED}`,
    });
    logger.error({ err: new HallqError('CARD_READ_FAILED', `card ${ID} unreadable`, { reader: 'COM3', owner: PHONE }) }, 'read failed');
    const out = text();
    expectNoRaw(out, PHONE, ID, ID_X, '138 1234 5678', PHONE2, '159-8765-4321');
    expect(out).toContain(`${PHONE_MASKED} ${ID_MASKED} ${NAME_MASKED}`);
    expect(out).toContain('"type":"HallqError"');
    expect(out).toContain('"code":"CARD_READ_FAILED"');
    expect(out).toContain('COM3');
  });

  it('scrubs the message string, its interpolation arguments and child bindings', () => {
    const { logger, text, records } = capture('server');
    logger.info(`SMS to ${PHONE} for holder ${ID}`);
    logger.info({ ticket: 'A002' }, 'SMS to %s failed', PHONE2);
    logger.child({ caller: PHONE, window: 5 }).info('bound');
    logger.child({ window: 6 }).child({ callback: `tel:${PHONE2}` }).warn('grandchild');
    logger.error(new Error(`no SMS gateway for ${PHONE}`));
    expectNoRaw(text(), PHONE, ID, PHONE2);
    const [a, b, c, d, e] = records();
    expect(a?.msg).toBe(`SMS to ${REDACTED} for holder ${REDACTED}`);
    expect(b).toMatchObject({ ticket: 'A002', msg: `SMS to ${REDACTED} failed` });
    expect(c).toMatchObject({ component: 'server', window: 5, caller: REDACTED, msg: 'bound' });
    expect(d).toMatchObject({ component: 'server', window: 6, callback: `tel:${REDACTED}`, msg: 'grandchild' });
    expect(e).toMatchObject({ msg: `no SMS gateway for ${REDACTED}`, err: { type: 'Error' } });
  });

  it('leaves numbers that are not personal: epoch milliseconds, longer digit runs, sequence numbers', () => {
    const { logger, records } = capture();
    logger.info({ at: 1732300000000, order: '20241122153000123456789', seq: 13812, epoch: '1732300000' });
    expect(records()[0]).toMatchObject({ at: 1732300000000, order: '20241122153000123456789', seq: 13812, epoch: '1732300000' });
  });

  it('does not touch the object the caller logged', () => {
    const { logger } = capture();
    const obj = { phone: PHONE, note: `call ${PHONE}`, person: { name: NAME } };
    logger.info(obj);
    expect(obj).toEqual({ phone: PHONE, note: `call ${PHONE}`, person: { name: NAME } });
  });
});

describe('scrubPersonalData', () => {
  it('survives cycles and keeps shared references', () => {
    const shared = { note: PHONE };
    const a: Record<string, unknown> = { left: shared, right: shared };
    a.self = a;
    expect(scrubPersonalData(a)).toEqual({ left: { note: REDACTED }, right: { note: REDACTED }, self: '[Circular]' });
  });

  it('without keys, censors only by pattern', () => {
    expect(scrubPersonalData({ name: NAME, id: ID })).toEqual({ name: NAME, id: REDACTED });
  });
});
