import { corrupt } from './errors.js';

/** The fields every event carries; the store is generic over the rest (src/store never imports src/core). */
export interface LogEvent {
  seq: number;
  at: number;
  commandId: string;
  type: string;
}

export interface EventRow {
  seq: number;
  at: number;
  command_id: string;
  type: string;
  pos: number;
  body: string;
}

const HEADER = new Set(['seq', 'at', 'commandId', 'type']);

/**
 * Splits an event into its indexed columns and a JSON body of the remaining fields. Runs before the transaction,
 * so a value JSON cannot carry (BigInt, a cycle) fails the append without touching the file.
 */
export function encodeEvent(e: LogEvent, pos: number): EventRow {
  if (!Number.isSafeInteger(e.seq) || e.seq < 1) throw corrupt(`event seq ${String(e.seq)} is not a positive integer`, { seq: e.seq });
  if (typeof e.at !== 'number' || !Number.isFinite(e.at)) throw corrupt(`event ${e.seq}: at is not a finite number`, { seq: e.seq });
  if (typeof e.commandId !== 'string') throw corrupt(`event ${e.seq}: commandId is not a string`, { seq: e.seq });
  if (typeof e.type !== 'string') throw corrupt(`event ${e.seq}: type is not a string`, { seq: e.seq });
  // The other fields, in their order (a rest pattern: no array of entries per event, issue 12).
  const { seq, at, commandId, type, ...rest } = e;
  return { seq, at, command_id: commandId, type, pos, body: toJson(rest, `event ${seq}`, { seq }) };
}

export function decodeEvent<E extends LogEvent>(row: unknown): E {
  const r = row as Partial<Record<keyof EventRow, unknown>>;
  const seq = r.seq;
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq)) throw corrupt(`event row with unreadable seq ${String(seq)}`, { seq });
  if (typeof r.at !== 'number' || typeof r.command_id !== 'string' || typeof r.type !== 'string' || typeof r.body !== 'string') {
    throw corrupt(`event ${seq}: a column has the wrong type`, { seq });
  }
  const rest = fromJson(r.body, `event ${seq}`, { seq });
  if (typeof rest !== 'object' || rest === null || Array.isArray(rest)) throw corrupt(`event ${seq}: body is not a JSON object`, { seq });
  for (const k of Object.keys(rest)) if (HEADER.has(k)) throw corrupt(`event ${seq}: body repeats header field ${k}`, { seq });
  return { seq, at: r.at, commandId: r.command_id, type: r.type, ...rest } as E;
}

export function toJson(value: unknown, what: string, details: Record<string, unknown>): string {
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch (err) {
    throw corrupt(`${what} cannot be stored as JSON: ${err instanceof Error ? err.message : String(err)}`, details);
  }
  // JSON.stringify(undefined) is undefined; a stored "nothing" would read back as "not recorded".
  if (json === undefined) throw corrupt(`${what} cannot be stored as JSON (undefined or a function)`, details);
  return json;
}

export function fromJson(text: unknown, what: string, details: Record<string, unknown>): unknown {
  if (typeof text !== 'string') throw corrupt(`${what}: stored JSON is not text`, details);
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw corrupt(`${what}: stored JSON is unreadable: ${err instanceof Error ? err.message : String(err)}`, details);
  }
}
