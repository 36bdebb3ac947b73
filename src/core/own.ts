/**
 * Records of the state are plain objects keyed by ids that arrive from outside (ticket, window,
 * appointment, rating and command ids). `record[id]` would find `constructor`, `toString` or
 * `__proto__` on Object.prototype, and `record['__proto__'] = x` would replace the prototype
 * instead of storing x, so every keyed read and write of the core goes through these two.
 */

const has = Object.prototype.hasOwnProperty;

/** The value stored under `key`, or undefined: never one inherited from a prototype. */
export function own<T>(record: Readonly<Record<string, T>>, key: string): T | undefined {
  return has.call(record, key) ? record[key] : undefined;
}

/** Stores `value` under `key` as an own, enumerable property (so `__proto__` is a key like any other). */
export function setOwn<T>(record: Record<string, T>, key: string, value: T): T {
  // Only `__proto__` is a setter on Object.prototype: any other key assigned makes or sets an own,
  // writable, enumerable, configurable property, as defineProperty would, at a fraction of its cost on
  // a record of thousands of keys (issue 12: state.commands, written on every command).
  if (key === '__proto__') Object.defineProperty(record, key, { value, writable: true, enumerable: true, configurable: true });
  else record[key] = value;
  return value;
}
