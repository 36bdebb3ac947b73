/**
 * The identity of one event of a hall's log, as the server's status names its head (`head`) and an
 * agent notes each event it applies: equal seqs with different identities mean two histories (a backup
 * restored, a database replaced), which seqs alone cannot tell. FNV-1a, 32 bits, of the event's seq,
 * time (epoch ms), command id and type, as 8 hex digits: nothing secret (every event carries all four),
 * only short, and computed alike on both sides without node:crypto.
 */
export function logHead(e: { seq: number; at: number; commandId: string; type: string }): string {
  const s = `${e.seq}|${e.at}|${e.commandId}|${e.type}`;
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}
