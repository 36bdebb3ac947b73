/**
 * Regenerates docs/screenshots/*.png from a running demo hall: every page, made by this script,
 * not by hand. `npm run screenshots`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import type { PrintedTicket } from '../drivers/printer/document.js';
import { renderTicketPng } from '../drivers/printer/preview.js';
import { DEMO_PINS, runDemo } from '../src/demo/demo.js';
import { launchChromium } from '../test/helpers/browser.js';

const out = new URL('../docs/screenshots/', import.meta.url);
mkdirSync(out, { recursive: true });
const demo = await runDemo({ config: 'config/demo.yaml', mqttPort: 0, httpPort: 0, kioskPort: 0, speed: 20, seed: 7, print: () => undefined });
// The status page is reached through the token in a printed ticket's QR code.
let statusUrl = '';
let lastTicket: PrintedTicket | undefined;
demo.hardware.printerEmulator.onTicket((t) => {
  lastTicket = t;
  for (const b of t.blocks) if (b.type === 'qr') statusUrl = b.data;
});
// Let the hall fill: wait for a dozen calls (the events, not a fixed time).
await new Promise<void>((resolve) => {
  let calls = 0;
  const off = demo.link.onEvent((e) => {
    if (e.type === 'TicketCalled' && ++calls >= 12) {
      off();
      resolve();
    }
  });
});
const browser = await launchChromium();
const shots: { name: string; url: string; width: number; height: number; signIn?: { staffId: string; secret: string; window?: number } }[] = [
  { name: 'kiosk-portrait', url: `http://127.0.0.1:${demo.kioskPort}/kiosk`, width: 1080, height: 1920 },
  { name: 'kiosk-landscape', url: `http://127.0.0.1:${demo.kioskPort}/kiosk`, width: 1920, height: 1080 },
  { name: 'display', url: `http://127.0.0.1:${demo.httpPort}/display`, width: 1920, height: 1080 },
  { name: 'caller', url: `http://127.0.0.1:${demo.httpPort}/caller?window=1`, width: 1280, height: 800, signIn: { staffId: 's01', secret: DEMO_PINS.staff, window: 1 } },
  { name: 'admin', url: `http://127.0.0.1:${demo.httpPort}/admin`, width: 1600, height: 1000, signIn: { staffId: 'm01', secret: DEMO_PINS.manager } },
  { name: 'reports', url: `http://127.0.0.1:${demo.httpPort}/reports`, width: 1920, height: 1200, signIn: { staffId: 'm01', secret: DEMO_PINS.manager } },
];
if (statusUrl) shots.push({ name: 'ticket-status', url: statusUrl, width: 390, height: 844 });
for (const s of shots) {
  const page = await browser.newPage({ viewport: { width: s.width, height: s.height } });
  // Staff pages need a session: sign in through the API on the page's own cookie jar.
  if (s.signIn) await page.request.post(`http://127.0.0.1:${demo.httpPort}/api/auth/sign-in`, { data: s.signIn });
  await page.goto(s.url);
  // The reports page is ready once today's figures are in and its charts (chart.js) drawn; the others once no shown text says "…" (innerText: a script's own text is not shown).
  if (s.name === 'reports') await page.waitForFunction("/\\d/.test(document.querySelector('#fig-issued')?.textContent ?? '') && document.querySelector('canvas') !== null");
  else await page.waitForFunction("!document.body.innerText.includes('…')");
  await page.screenshot({ path: new URL(`${s.name}.png`, out).pathname });
  await page.close();
  console.log(`docs/screenshots/${s.name}.png`);
}
await browser.close();
// The printed ticket as the printer emulator drew it (576 dots, 80 mm at 203 dpi).
if (lastTicket) {
  writeFileSync(new URL('ticket-printed.png', out), renderTicketPng(lastTicket));
  console.log('docs/screenshots/ticket-printed.png');
}
await demo.stop();
