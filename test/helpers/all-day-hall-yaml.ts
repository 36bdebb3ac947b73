import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** What varies between the all-day halls the process tests write as YAML. */
export interface AllDayHallYaml {
  /** The folder of the file and of the server's database (hall.db). */
  dir: string;
  /** The file's name in `dir`. */
  file?: string;
  id: string;
  name: { zh: string; en: string };
  /** General windows 1..n serving service A, a staff member s<n> per window. */
  windows: number;
  /** The `agents:` entries, each a YAML flow mapping. */
  agents: string[];
  brokerUrl: string;
  httpPort: number;
  logLevel?: 'debug' | 'info' | 'warn' | 'error';
  /** Further top-level YAML (an `agent:` section), appended as it is. */
  extra?: string;
}

const allDay = '[{ from: "00:00", to: "24:00" }]';

/**
 * Writes the YAML config of a hall open around the clock (no cutoff: a run at any hour issues and
 * calls), one service A 社保, and returns its path: the file `hallq server` and `hallq agent` start from.
 */
export function writeAllDayHallYaml(o: AllDayHallYaml): string {
  const file = join(o.dir, o.file ?? 'hall.yaml');
  const windows = Array.from({ length: o.windows }, (_, i) => `  - { id: ${i + 1}, kind: general, tiers: [[A]] }\n`).join('');
  const staff = Array.from({ length: o.windows }, (_, i) => `{ id: s${i + 1}, name: S${i + 1} }`).join(', ');
  writeFileSync(
    file,
    `hall: { id: ${o.id}, name: { zh: ${o.name.zh}, en: ${o.name.en} } }
hours:
  weekly: { mon: ${allDay}, tue: ${allDay}, wed: ${allDay}, thu: ${allDay}, fri: ${allDay}, sat: ${allDay}, sun: ${allDay} }
  issuingCutoffMinutes: 0
services:
  - { id: A, prefix: A, name: { zh: 社保, en: Social } }
windows:
${windows}staff: [${staff}]
agents:
${o.agents.map((a) => `  - ${a}\n`).join('')}policy: {}
server:
  mqtt: { url: "${o.brokerUrl}" }
  http: { host: 127.0.0.1, port: ${o.httpPort} }
  database: ${join(o.dir, 'hall.db')}
${o.logLevel ? `  logLevel: ${o.logLevel}\n` : ''}${o.extra ?? ''}`,
  );
  return file;
}
