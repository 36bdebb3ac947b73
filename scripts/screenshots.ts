/**
 * Regenerates docs/screenshots/*.png from a running demo hall: every page, made by this script,
 * not by hand. `npm run screenshots`.
 */
import { mkdirSync } from 'node:fs';
import { runDemo } from '../src/demo/demo.js';
import { launchChromium } from '../test/helpers/browser.js';

const out = new URL('../docs/screenshots/', import.meta.url);
mkdirSync(out, { recursive: true });
const demo = await runDemo({ config: 'config/demo.yaml', mqttPort: 0, httpPort: 0, kioskPort: 0, speed: 20, seed: 7, print: () => undefined });
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
const shots: { name: string; url: string; width: number; height: number }[] = [
  { name: 'kiosk-portrait', url: `http://127.0.0.1:${demo.kioskPort}/kiosk`, width: 1080, height: 1920 },
  { name: 'kiosk-landscape', url: `http://127.0.0.1:${demo.kioskPort}/kiosk`, width: 1920, height: 1080 },
  { name: 'display', url: `http://127.0.0.1:${demo.httpPort}/display`, width: 1920, height: 1080 },
  { name: 'caller', url: `http://127.0.0.1:${demo.httpPort}/caller?window=1`, width: 1280, height: 800 },
  { name: 'admin', url: `http://127.0.0.1:${demo.httpPort}/admin`, width: 1600, height: 1000 },
];
const firstCalled = Object.values(demo.link.replica.state.tickets).find((t) => t.status === 'waiting') ?? Object.values(demo.link.replica.state.tickets)[0];
if (firstCalled) shots.push({ name: 'ticket-status', url: `http://127.0.0.1:${demo.httpPort}/t/${firstCalled.id}`, width: 390, height: 844 });
for (const s of shots) {
  const page = await browser.newPage({ viewport: { width: s.width, height: s.height } });
  await page.goto(s.url);
  await page.waitForFunction("!document.body.textContent.includes('…')");
  await page.screenshot({ path: new URL(`${s.name}.png`, out).pathname });
  await page.close();
  console.log(`docs/screenshots/${s.name}.png`);
}
await browser.close();
await demo.stop();
