/**
 * Consumer A passes `nuxi typecheck` (vue-tsc over the app, its .nuxt types and
 * what they pull in from the installed package: dist/types.d.mts, the runtime's
 * .d.ts, the built-in pages and components).
 */
import { describe, expect, it } from 'vitest'
import { APP_A, run, seconds, tail } from '../support/consumer-app'

describe('consumer A: npx nuxi typecheck', () => {
  it('exits 0', async () => {
    const { code, ms, output } = await run('npx', ['nuxi', 'typecheck'], APP_A, { timeoutMs: 300_000 })
    console.info(`[consumer] nuxi typecheck in app A: exit ${code} in ${seconds(ms)}`)
    // On failure, the errors (file:line) are the assertion's message.
    const errors = output.split('\n').filter(line => /error TS\d+/.test(line))
    expect(code, `nuxi typecheck exited with ${code}; ${errors.length} errors:\n${errors.slice(0, 80).join('\n') || tail(output, 60)}`).toBe(0)
  })
})
