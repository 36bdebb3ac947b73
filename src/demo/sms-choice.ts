import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

/**
 * Whether the demo hall sends SMS (through its modem emulator): not when the config says
 * `server.sms.provider: none`, as the server with that config sends none (HallConfig.smsEnabled false:
 * the kiosk asks no phone, no SMS-only ticket). Read as written, as the config check's SMS-off
 * warnings are: a config that names no provider (the demo hall's own config/demo.yaml) gets the
 * emulator, and so does one naming a modem or a gateway (the demo never sends a real text).
 */
export function demoSendsSms(configPath: string): boolean {
  const at = (o: unknown, key: string): unknown => (typeof o === 'object' && o !== null ? (o as Record<string, unknown>)[key] : undefined);
  // The file was read and validated just before (loadConfigOrThrow): it parses.
  const doc: unknown = parse(readFileSync(configPath, 'utf8'));
  return at(at(at(doc, 'server'), 'sms'), 'provider') !== 'none';
}
