import { spawn, type ChildProcess } from 'node:child_process'

/**
 * A built Nitro server (`.output/server/index.mjs`) started as production
 * does, for the tests that need a real process: browser journeys, several
 * instances on one PostgreSQL, fresh consumer apps.
 *
 * The port is the kernel's: the server is started with `PORT=0` and its own
 * `Listening on http://127.0.0.1:<port>` line names where it listens. A port
 * picked by the test (at random, or one that was free a moment ago) can be
 * taken by another test file's server or proxy in between; the request then
 * reaches a process that is not this app at all.
 */
export interface BuiltServer {
  /** `http://127.0.0.1:<port>` */
  origin: string
  child: ChildProcess
  /** Everything the process printed so far, stdout and stderr interleaved. */
  output(): string
  /** SIGTERM, then SIGKILL after 5 s; resolves once the process is gone. */
  stop(): Promise<void>
}

export interface BuiltServerOptions {
  /** Path to `server/index.mjs`. */
  entry: string
  /** The whole environment; `PORT` and `HOST` are set here. */
  env: Record<string, string | undefined>
  cwd?: string
  /** Names the server in errors, e.g. `the playground`. */
  label: string
  /** The line that says the app is ready besides Nitro's listening line; `false` for an app without nuxt-guard. Default `[nuxt-guard] ready`. */
  ready?: string | false
  /** How long to wait for `[nuxt-guard] ready` and the listening line, ms. Default 45 000. */
  timeoutMs?: number
}

const LISTENING = /Listening on http:\/\/127\.0\.0\.1:(\d+)/

/**
 * Starts a built server and resolves once the guard printed `[nuxt-guard] ready`
 * AND Nitro printed the address it listens on. Rejects with everything the
 * process printed when it exits first or takes longer than `timeoutMs`.
 *
 * @example
 * const app = await startBuiltServer({ entry: `${output}/server/index.mjs`, env: { ...process.env, NODE_ENV: 'production' }, label: 'the playground' })
 * await fetch(`${app.origin}/api/_guard/session`)
 * await app.stop()
 */
export async function startBuiltServer(options: BuiltServerOptions): Promise<BuiltServer> {
  const env = { ...options.env, HOST: '127.0.0.1', PORT: '0', NITRO_PORT: '0', NITRO_HOST: '127.0.0.1' }
  const child = spawn(process.execPath, [options.entry], { cwd: options.cwd, env, stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  child.stdout!.on('data', (chunk: Buffer) => { output += chunk })
  child.stderr!.on('data', (chunk: Buffer) => { output += chunk })
  const timeoutMs = options.timeoutMs ?? 45_000
  const ready = options.ready ?? '[nuxt-guard] ready'
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => { void stopChild(child); reject(new Error(`${options.label} did not start in ${timeoutMs / 1000} s:\n${output}`)) }, timeoutMs)
    const poll = setInterval(() => {
      const listening = LISTENING.exec(output)
      if (!listening || (ready && !output.includes(ready))) return
      clearInterval(poll); clearTimeout(timer); resolve(Number(listening[1]))
    }, 50)
    child.once('exit', (code) => { clearInterval(poll); clearTimeout(timer); reject(new Error(`${options.label} exited with ${code}:\n${output}`)) })
  })
  return { origin: `http://127.0.0.1:${port}`, child, output: () => output, stop: () => stopChild(child) }
}

/** SIGTERM, then SIGKILL after 5 s; resolves once the process is gone. */
export function stopChild(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  return new Promise((resolve) => {
    child.once('exit', () => resolve())
    child.kill('SIGTERM')
    setTimeout(() => child.kill('SIGKILL'), 5_000).unref()
  })
}
