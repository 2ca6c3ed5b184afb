/**
 * Built instances of the basic fixture on one PostgreSQL, for the scale-out
 * e2e tests: start and stop them, and a cookie jar that talks to any of them
 * (they share the session store).
 */
import { startBuiltServer, stopChild, type BuiltServer } from './built-server'
import { fixturePaths } from './fixtures'
import { CookieJar } from './cookie-jar'

export type Instance = BuiltServer

/** Starts the built basic fixture on `databaseUrl` on a port the kernel picks, resolving once the guard is ready. */
export function startInstance(databaseUrl: string, secret: string): Promise<Instance> {
  const { outputDir } = fixturePaths('basic')
  return startBuiltServer({
    entry: `${outputDir}/server/index.mjs`,
    env: { ...process.env, NODE_ENV: 'production', NUXT_GUARD_SECRET: secret, NUXT_GUARD_DATABASE_URL: databaseUrl, NUXT_GUARD_COOKIE_SECURE: 'false' },
    label: 'an instance of the basic fixture',
    timeoutMs: 60_000,
  })
}

export function stopInstance(instance: Instance | undefined): Promise<void> {
  return stopChild(instance?.child)
}

/** A browser with one cookie jar that can talk to either instance (they share the session store). */
export class Browser {
  readonly cookies = new CookieJar()
  async send(instance: Instance, path: string, init: { method?: string; json?: unknown } = {}) {
    const headers: Record<string, string> = {}
    if (this.cookies.size) headers.cookie = this.cookies.header
    if (init.json !== undefined) headers['content-type'] = 'application/json'
    const response = await fetch(`${instance.origin}${path}`, {
      method: init.method ?? (init.json === undefined ? 'GET' : 'POST'), headers, redirect: 'manual',
      body: init.json === undefined ? undefined : JSON.stringify(init.json),
    })
    this.cookies.absorb(response.headers.getSetCookie())
    const text = await response.text()
    return { status: response.status, json: () => JSON.parse(text), text }
  }
}

export async function ok(answer: Promise<{ status: number; json: () => any; text: string }>) {
  const { status, json, text } = await answer
  if (status !== 200) throw new Error(`expected 200, got ${status}: ${text}`)
  return json()
}
