/**
 * Built instances of the basic fixture on one PostgreSQL, for the scale-out
 * e2e tests: start and stop them, and a cookie jar that talks to any of them
 * (they share the session store).
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { fixturePaths } from './fixtures'
import { CookieJar } from './cookie-jar'

export interface Instance { origin: string; child: ChildProcess; output: () => string }

/** Starts the built basic fixture on `databaseUrl`, resolving once the guard is ready. */
export async function startInstance(databaseUrl: string, secret: string): Promise<Instance> {
  const { outputDir } = fixturePaths('basic')
  const port = 4900 + Math.floor(Math.random() * 900)
  const child = spawn(process.execPath, [`${outputDir}/server/index.mjs`], {
    env: { ...process.env, NODE_ENV: 'production', HOST: '127.0.0.1', PORT: String(port), NUXT_GUARD_SECRET: secret, NUXT_GUARD_DATABASE_URL: databaseUrl, NUXT_GUARD_COOKIE_SECURE: 'false' },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  child.stdout!.on('data', (chunk: Buffer) => { output += chunk })
  child.stderr!.on('data', (chunk: Buffer) => { output += chunk })
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`instance on ${port} did not start in 60 s:\n${output}`)), 60_000)
    const poll = setInterval(() => {
      if (!output.includes('[nuxt-guard] ready')) return
      clearInterval(poll); clearTimeout(timer); resolve()
    }, 50)
    child.once('exit', (code) => { clearInterval(poll); clearTimeout(timer); reject(new Error(`instance on ${port} exited with ${code}:\n${output}`)) })
  })
  return { origin: `http://127.0.0.1:${port}`, child, output: () => output }
}

export function stopInstance(instance: Instance | undefined): Promise<void> {
  const child = instance?.child
  if (!child || child.exitCode !== null) return Promise.resolve()
  return new Promise((resolve) => {
    child.once('exit', () => resolve())
    child.kill('SIGTERM')
    setTimeout(() => child.kill('SIGKILL'), 5_000).unref()
  })
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
