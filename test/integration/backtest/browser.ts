// Loads a page in headless Chromium (Debian's, installed by dev/install-chromium.sh)
// and reports console errors and what the screenshot shows.
import { existsSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { PNG } from 'pngjs';
import puppeteer from 'puppeteer-core';

function chromiumPath(): string {
  const candidates = [process.env.CHROMIUM_BIN, '/usr/lib/chromium/chromium', '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];
  const found = candidates.find((c): c is string => !!c && existsSync(c));
  if (!found) throw new Error('no Chromium: run bash dev/install-chromium.sh (Debian package) or set CHROMIUM_BIN');
  return found;
}

export interface Shot {
  consoleErrors: string[];
  svgCount: number;
  /** Share of pixels that are not (near) white. */
  nonWhiteShare: number;
  /** Pixels in the failure colour: the failed points and the failure boundary. */
  redPixels: number;
}

export async function screenshotPage(file: string, png: string): Promise<Shot> {
  const browser = await puppeteer.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
  try {
    const page = await browser.newPage();
    const consoleErrors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => consoleErrors.push(String(e)));
    page.on('requestfailed', (r) => consoleErrors.push(`request failed: ${r.url()}`));
    await page.setViewport({ width: 900, height: 700 });
    await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
    const svgCount = await page.$$eval('svg', (els) => els.length);
    const buffer = Buffer.from(await page.screenshot({ type: 'png', fullPage: true }));
    writeFileSync(png, buffer);
    const image = PNG.sync.read(buffer);
    let nonWhite = 0;
    let red = 0;
    for (let i = 0; i < image.data.length; i += 4) {
      const [r, g, b] = [image.data[i] ?? 0, image.data[i + 1] ?? 0, image.data[i + 2] ?? 0];
      if (r < 240 || g < 240 || b < 240) nonWhite++;
      if (r > 150 && g < 90 && b < 90) red++;
    }
    return { consoleErrors, svgCount, nonWhiteShare: nonWhite / (image.width * image.height), redPixels: red };
  } finally {
    await browser.close();
  }
}
