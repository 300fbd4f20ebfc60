/** The browser desk as a user's browser sees it: the page, its headers, the token-guarded API. */
import { expect, test } from './fixtures'

test('serves the Rollcall UI with its security headers', async ({ page, desk }) => {
  const response = await page.goto(desk.deskUrl)
  expect(response?.status()).toBe(200)
  const headers = response?.headers() ?? {}
  expect(headers['content-security-policy']).toContain("default-src 'self'")
  expect(headers['x-content-type-options']).toBe('nosniff')
  expect(headers['cache-control']).toBe('no-store')
  await expect(page).toHaveTitle(/Rollcall/)
  await expect(page.locator('#app')).not.toBeEmpty()
})

test('answers calls with the token and refuses them without', async ({ page, desk }) => {
  await page.goto(desk.deskUrl)
  const call = (token: string | null) =>
    page.evaluate(async (t) => {
      const res = await fetch('/api/desk.info', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', ...(t ? { Authorization: `Bearer ${t}` } : {}) },
        body: '{}'
      })
      return { status: res.status, body: (await res.json()) as { ok: boolean; value?: { version?: string }; error?: { code: string } } }
    }, token)
  const withToken = await call(desk.token)
  expect(withToken.status).toBe(200)
  expect(withToken.body.ok).toBe(true)
  expect(withToken.body.value?.version).toMatch(/^\d+\.\d+\.\d+/)
  const without = await call(null)
  expect(without.status).toBe(401)
  expect(without.body.error?.code).toBe('forbidden')
})
