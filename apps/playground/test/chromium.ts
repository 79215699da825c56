/**
 * Debian's Chromium driven by playwright-core (browser downloads are not available here). The
 * browser must be installed: `.ci/run` installs it with apt-get; a missing one fails the tests
 * with this message rather than skipping them.
 */
import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

/** Where the browser is: CHROMIUM_PATH, else Debian's /usr/bin/chromium. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * Launch headless Chromium with the flags this machine needs (no sandbox as root, no GPU, no
 * background connections that a closed network refuses); playwright gives every launch a fresh
 * temporary profile of its own.
 */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM))
    throw new Error(
      `Chromium not found at ${CHROMIUM}: the browser tests need it. Install it with ` +
        '`apt-get install -y chromium` (.ci/run does), or set CHROMIUM_PATH.',
    );
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
