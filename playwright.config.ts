import { defineConfig } from '@playwright/test'

/**
 * End-to-end tests drive the built app (`electron-vite build` first; `npm test` does it):
 * the browser desk (`out/main/serve.js`, one fresh desk per test — see test/e2e/fixtures.ts) in the
 * system Chromium, and the Electron window when the Electron binary is installed.
 * `npx playwright install` is never needed: the browser is Debian's /usr/bin/chromium.
 */
export const CHROMIUM = process.env.ROLLCALL_CHROMIUM ?? '/usr/bin/chromium'
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run'
]

const ci = !!process.env.CI

export default defineConfig({
  testDir: 'test/e2e',
  outputDir: 'test-results',
  forbidOnly: ci,
  retries: 0,
  workers: ci ? 1 : undefined,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: ci ? [['list']] : [['list'], ['html', { open: 'never' }]],
  use: {
    browserName: 'chromium',
    headless: true,
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
    launchOptions: { executablePath: CHROMIUM, args: CHROMIUM_ARGS }
  }
})
