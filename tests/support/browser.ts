import { existsSync, mkdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { chromium, type Browser, type Page } from 'playwright-core'

/** Debian's Chromium unless CHROMIUM_PATH names another build. */
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium'
const SHOTS = fileURLToPath(new URL('../browser/screenshots', import.meta.url))

/** The two sizes every journey is looked at: a laptop and a phone. */
export const DESKTOP = { width: 1280, height: 800 }
export const PHONE = { width: 390, height: 844 }

/**
 * Launches headless Chromium with the flags this machine needs (no sandbox
 * as root; no background network, which is closed here).
 *
 * @example
 * const browser = await launchBrowser()
 * const page = await browser.newPage({ viewport: DESKTOP })
 */
export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium is not installed at ${CHROMIUM}: run \`apt-get install -y chromium\` (or set CHROMIUM_PATH) and run the tests again.`)
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  })
}

/**
 * Saves a full-page screenshot as tests/browser/screenshots/<name>.png (gitignored).
 *
 * @example
 * await screenshot(page, 'a-enroll-totp-desktop')
 */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SHOTS, { recursive: true })
  const path = `${SHOTS}/${name}.png`
  await page.screenshot({ path, fullPage: true })
  return path
}
