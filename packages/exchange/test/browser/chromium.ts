// The one way the browser tests start Chromium: the Debian package (.ci/run installs it),
// headless, with the background services that would make network noise turned off.
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** Launch headless Chromium, or fail with what to install (never `npx playwright install`). */
export async function launchChromium(timeout: number): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `the browser tests need Chromium at ${CHROMIUM}: apt-get install -y chromium ` +
        '(.ci/run installs it); never `npx playwright install`',
    );
  }
  return chromium.launch({ executablePath: CHROMIUM, args: ARGS, timeout });
}
