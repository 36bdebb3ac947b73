import { createHmac } from 'node:crypto';
import { maskName, parseResidentId, type PersonInput } from '../core/index.js';

/**
 * What leaves the agent of a card swipe: a keyed hash of the ID number (so the per-ID rules work
 * without the number), masked forms for screens and tickets, the birth date for the age rule.
 * The raw number and name stay in this function.
 */
export function personFromCard(idNumber: string, name: string, key: Buffer | string): PersonInput {
  const info = parseResidentId(idNumber);
  const idHash = createHmac('sha256', key).update(idNumber.trim().toUpperCase()).digest('hex');
  if (!info.valid) return { idHash, idMasked: '', idValid: false };
  return { idHash, idMasked: info.masked, nameMasked: maskName(name), idValid: true, birthDate: info.birthDate };
}

/** A keyboard-wedge reader's number, put on the card slot if it is a valid ID number (no name: the wedge types only the number). */
export function wedgeInto(slot: { put(p: PersonInput): void }, key: Buffer | string): (idNumber: string) => boolean {
  return (idNumber) => {
    const person = personFromCard(idNumber, '', key);
    if (!person.idValid) return false;
    slot.put(person);
    return true;
  };
}

/**
 * Keyed hashes an imported appointment is checked in by at the kiosk (the same key as ID numbers,
 * so the server's import and every kiosk agree): a mainland mobile by its 11 digits, an appointment
 * code upper-cased. Prefixed, so a phone never matches an ID number or a code.
 */
export function phoneHash(nationalNumber: string, key: Buffer | string): string {
  return createHmac('sha256', key).update(`phone:${nationalNumber}`).digest('hex');
}
export function codeHash(code: string, key: Buffer | string): string {
  return createHmac('sha256', key).update(`code:${code.trim().toUpperCase()}`).digest('hex');
}
