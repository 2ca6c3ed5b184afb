/** The packages nuxt-guard loads only for a feature that needs them (optional peer dependencies). */
export type OptionalPeer = 'pg' | 'nodemailer'

/**
 * Loads a module that needs an optional peer dependency; when the package is
 * not installed, throws an error that names the feature and the command to
 * run instead of Node's bare "Cannot find package".
 *
 * @throws Error `[nuxt-guard] … needs the "pg" package: run \`npm i pg\` …`
 * @example
 * const { openPostgres } = await loadOptionalPeer('pg', 'PostgreSQL (NUXT_GUARD_DATABASE_URL)', () => import('./store/db/postgres'))
 */
export async function loadOptionalPeer<T>(peer: OptionalPeer, feature: string, load: () => Promise<T>): Promise<T> {
  try {
    return await load()
  }
  catch (error) {
    if (!isMissingPackage(error, peer)) throw error
    throw new Error(`[nuxt-guard] ${feature} needs the "${peer}" package, which is not installed: run \`npm i ${peer}\` in your app, then build it again.`, { cause: error })
  }
}

function isMissingPackage(error: unknown, peer: OptionalPeer): boolean {
  const { code, message } = (error ?? {}) as { code?: string; message?: string }
  return (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') && new RegExp(`['"]${peer}['"/]`).test(message ?? '')
}
