/** Checksums of the two screen protocols. Pure. */

/** CRC-16/ARC: reflected poly 0xA001, init 0, no final xor. Check value for ASCII "123456789" is 0xBB3D. */
export function crc16Arc(bytes: Uint8Array): number {
  let crc = 0;
  for (const b of bytes) {
    crc ^= b;
    for (let i = 0; i < 8; i++) crc = crc & 1 ? (crc >>> 1) ^ 0xa001 : crc >>> 1;
  }
  return crc;
}

/** 16-bit arithmetic sum (the external-call protocol's checksum), truncated to the low 16 bits. */
export function sum16(bytes: Uint8Array): number {
  let sum = 0;
  for (const b of bytes) sum = (sum + b) & 0xffff;
  return sum;
}
