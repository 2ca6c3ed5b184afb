import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import { describeSecretProblem } from '../../core/crypto/secret'

/**
 * The server secret: `NUXT_GUARD_SECRET` when set. In development only, one
 * is generated into `<dataDir>/secret` (mode 0600) and reused. In production
 * a missing or short secret stops start-up with instructions.
 *
 * @example
 * const secret = resolveSecret(settings.secret, settings.dataDir, import.meta.dev)
 */
export function resolveSecret(configured: string, dataDir: string, dev: boolean): string {
  if (configured || !dev) {
    const problem = describeSecretProblem(configured || undefined)
    if (problem) throw new Error(`[nuxt-guard] ${problem}`)
    return configured
  }
  if (dataDir.startsWith('memory://')) return randomBytes(32).toString('base64url')
  const file = join(dataDir, 'secret')
  if (existsSync(file)) return readFileSync(file, 'utf8').trim()
  mkdirSync(dataDir, { recursive: true })
  const secret = randomBytes(32).toString('base64url')
  writeFileSync(file, `${secret}\n`, { mode: 0o600 })
  console.info(`[nuxt-guard] generated a development secret in ${file}; set NUXT_GUARD_SECRET in production`)
  return secret
}
