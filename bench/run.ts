/**
 * npm run bench — builds bench/fixture once, starts it twice (10 rules and
 * 1,000 rules in the live config), signs a user in on each, then measures
 * with autocannon on loopback, cases interleaved round by round:
 *   open      the handler with no guard in front of it
 *   guarded   the same handler behind the guard, valid session cookie
 *   guarded1k the same, with 1,000 rules loaded instead of 10 (on a second
 *             server, whose own open rate is measured too: the 1,000/10
 *             ratio compares guarded/open on each server)
 * then the latency of requests with never-seen tokens while 20 sign-ins hash
 * passwords (bench/verify-under-hashing.ts), the first request of 1,000
 * sessions after a claims-template save (bench/live-claims.ts), and last the
 * honest baseline: the same route in a fresh app built without nuxt-guard and
 * with it, installed from the packed tarball (bench/consumer-baseline.ts;
 * BENCH_CONSUMER=0 skips it). BENCH_ORG=1 puts an organization rule on the
 * guarded route (an active organization and either of two org permissions,
 * the bench user's session in an organization of theirs); BENCH_ONLY=throughput
 * runs the open/guarded cases alone. The hashing and re-mint cases run on servers
 * with an embedded database on disk (as in production), started twice on it;
 * the hashing case has a control: the same requests beside one thread that
 * only hashes (bench/busy-thread.mjs), the CPU of the sign-ins without them.
 */
import { spawn, spawnSync, execFileSync, type ChildProcess } from 'node:child_process'
import { availableParallelism } from 'node:os'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { benchConsumerBaseline } from './consumer-baseline'
import { CONNECTIONS, median, ROUNDS, runInterleaved, SECONDS_PER_ROUND } from './interleave'
import { benchRemint } from './live-claims'
import { benchVerifyUnderHashing, type BenchServer } from './verify-under-hashing'

const PIN_SERVER = availableParallelism() > 1 && spawnSync('taskset', ['-c', '0', 'true']).status === 0
const fixture = fileURLToPath(new URL('./fixture', import.meta.url))
const builder = fileURLToPath(new URL('../tests/support/build-fixture.mjs', import.meta.url))
const BUSY_THREAD = fileURLToPath(new URL('./busy-thread.mjs', import.meta.url))

/** BENCH_ORG=1: the guarded route needs an active organization and org:sys_memberships:manage or org:sys_domains:manage. */
const ORG_RULE = process.env.BENCH_ORG === '1'
const ONLY_THROUGHPUT = process.env.BENCH_ONLY === 'throughput'

function rules(count: number) {
  const guarded = ORG_RULE
    ? { roles: ['admin', 'member'], organization: true, orgPermissions: { anyOf: ['org:sys_memberships:manage', 'org:sys_domains:manage'] } }
    : { roles: ['admin', 'member'] }
  const list: { pattern: string; require: Record<string, unknown> }[] = [{ pattern: '/bench/**', require: guarded }]
  for (let i = 1; i < count; i++) {
    const shape = i % 3
    const pattern = shape === 0 ? `/section-${i}/**` : shape === 1 ? `/api/area-${i}/*/export` : `/pages/page-${i}`
    list.push({ pattern, require: i % 2 ? { roles: ['admin'] } : { permissions: [`area-${i}:read`] } })
  }
  return list
}

interface ServerOptions {
  /** Pin to core 0 (the throughput cases); the hashing and re-mint cases run on every core, as in production. */
  pin?: boolean
  /** The embedded database: `memory://` (default) or a directory, kept across restarts. */
  dataDir?: string
  /** The server secret; the same one on a restart, so the stored signing keys still open. */
  secret?: string
  /** Modules node preloads (`--import`) into the server. */
  preload?: string[]
}

async function startServer(port: number, ruleCount: number, { pin = PIN_SERVER, dataDir = 'memory://', secret = randomBytes(32).toString('base64url'), preload = [] }: ServerOptions = {}): Promise<ChildProcess> {
  const seed = { routes: { ignored: ['/_nuxt/**', '/favicon.ico'], rules: rules(ruleCount) }, session: { tokenTtlSeconds: 3600 }, ...(ORG_RULE ? { organizations: { enabled: true } } : {}) }
  // On a machine with cores to spare the server gets core 0 to itself and autocannon the rest,
  // so the load generator does not steal the cycles being measured.
  const [command, args] = pin ? ['taskset', ['-c', '0', process.execPath]] : [process.execPath, []]
  const child = spawn(command, [...args, ...preload.flatMap(file => ['--import', file]), `${fixture}/.nuxt/e2e/output/server/index.mjs`], {
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', NODE_ENV: 'production', NUXT_GUARD_SECRET: secret, NUXT_GUARD_DATA_DIR: dataDir, NUXT_GUARD_SEED: JSON.stringify(seed) },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('[nuxt-guard] ready') && resolve())
    child.on('exit', code => reject(new Error(`server on ${port} exited with ${code}`)))
  })
  return child
}

/**
 * A server on its own data directory on disk, startable again after a stop
 * (same directory, same secret): `stop()` waits for the graceful shutdown,
 * which closes the database and releases its lock.
 */
function restartableServer(port: number, { busyThread = false } = {}): { start: () => Promise<BenchServer>; dataDir: string; cleanup: () => void } {
  const dataDir = mkdtempSync(join(tmpdir(), `nuxt-guard-bench-${port}-`))
  const secret = randomBytes(32).toString('base64url')
  let running: ChildProcess | undefined
  return {
    dataDir,
    start: async () => {
      const child = running = await startServer(port, 10, { pin: false, dataDir, secret, preload: busyThread ? [BUSY_THREAD] : [] })
      return {
        origin: `http://127.0.0.1:${port}`,
        busyThread: busyThread ? () => child.kill('SIGUSR2') : undefined,
        stop: () => new Promise<void>((resolve) => {
          if (child.exitCode !== null) return resolve()
          child.removeAllListeners('exit')
          child.once('exit', () => resolve())
          child.kill('SIGTERM')
        }),
      }
    },
    cleanup: () => {
      if (running?.exitCode === null) running.kill('SIGKILL')
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}

async function signUp(port: number): Promise<string> {
  const response = await fetch(`http://127.0.0.1:${port}/api/_guard/sign-up`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'bench@acme.test', password: 'correct horse battery' }),
  })
  if (!response.ok) throw new Error(`sign-up failed: ${response.status} ${await response.text()}`)
  let cookie = response.headers.getSetCookie().map(line => line.split(';')[0]).join('; ')
  if (ORG_RULE) cookie = await joinOrganization(port, cookie)
  const check = await fetch(`http://127.0.0.1:${port}/bench/guarded`, { headers: { cookie } })
  if (check.status !== 200) throw new Error(`the guarded route answered ${check.status} with a valid session`)
  return cookie
}

/** Creates an organization for the bench user (org:admin) and makes it the session's active one: the new cookies. */
async function joinOrganization(port: number, cookie: string): Promise<string> {
  const post = (path: string, body: unknown, cookies: string) => fetch(`http://127.0.0.1:${port}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', cookie: cookies }, body: JSON.stringify(body) })
  const created = await post('/api/_guard/organizations', { name: 'Bench' }, cookie)
  if (!created.ok) throw new Error(`creating the organization failed: ${created.status} ${await created.text()}`)
  const { organization } = await created.json() as { organization: { id: string } }
  const switched = await post('/api/_guard/session/organization', { organizationId: organization.id }, cookie)
  if (!switched.ok) throw new Error(`switching to the organization failed: ${switched.status} ${await switched.text()}`)
  const fresh = new Map(cookie.split('; ').map(pair => [pair.split('=')[0]!, pair] as const))
  for (const line of switched.headers.getSetCookie()) { const pair = line.split(';')[0]!; fresh.set(pair.split('=')[0]!, pair) }
  return [...fresh.values()].join('; ')
}

async function main() {
  console.info('building bench/fixture …')
  execFileSync(process.execPath, [builder, fixture], { stdio: ['ignore', 'ignore', 'inherit'] })
  const servers = [await startServer(3901, 10), await startServer(3902, 1000)]
  const hashing = restartableServer(3903, { busyThread: true })
  const remint = restartableServer(3904)
  try {
    const [cookie10, cookie1k] = [await signUp(3901), await signUp(3902)]
    const cases = [
      { name: 'open (no guard)', url: 'http://127.0.0.1:3901/bench/open', headers: { cookie: cookie10 } },
      { name: 'guarded, 10 rules', url: 'http://127.0.0.1:3901/bench/guarded', headers: { cookie: cookie10 } },
      { name: 'open, 1,000-rule server', url: 'http://127.0.0.1:3902/bench/open', headers: { cookie: cookie1k } },
      { name: 'guarded, 1,000 rules', url: 'http://127.0.0.1:3902/bench/guarded', headers: { cookie: cookie1k } },
    ]
    const { rps, perRound, non2xx } = await runInterleaved(cases)
    // Ratios within a round compare runs seconds apart; their median shrugs off a noisy round.
    const ratio = (a: number, b: number) => median(perRound.map(r => r[a]! / r[b]!))
    console.info(`\n                        median of rounds   pooled   target`)
    console.info(`guarded / open          ${ratio(1, 0).toFixed(3).padStart(16)}   ${(rps[1]! / rps[0]!).toFixed(3).padStart(6)}   ≥ 0.90`)
    // Each server's guarded rate is taken relative to its own open rate, so two processes that differ
    // in speed for reasons of their own (heap layout, JIT) do not pass for a cost of the rules.
    const rulesRatio = median(perRound.map(r => (r[3]! / r[2]!) / (r[1]! / r[0]!)))
    console.info(`1,000 rules / 10 rules  ${rulesRatio.toFixed(3).padStart(16)}   ${((rps[3]! / rps[2]!) / (rps[1]! / rps[0]!)).toFixed(3).padStart(6)}   ≥ 0.95`)
    console.info(`${SECONDS_PER_ROUND * ROUNDS} s per case, ${ROUNDS} interleaved rounds, ${CONNECTIONS} connections, loopback${PIN_SERVER ? ', server pinned to core 0' : ''}${ORG_RULE ? '; the guarded route needs an active organization and one of two org permissions' : ''}`)
    if (non2xx.some(Boolean)) process.exitCode = 1
    for (const server of servers.splice(0)) server.kill()
    if (ONLY_THROUGHPUT) return
    await benchVerifyUnderHashing(hashing.start, '/bench/guarded')
    await benchRemint(remint.start, remint.dataDir, '/bench/guarded')
  }
  finally {
    for (const server of servers) server.kill()
    hashing.cleanup()
    remint.cleanup()
  }
  if (process.env.BENCH_CONSUMER === '0') return
  await benchConsumerBaseline(async (cases) => {
    const consumer = await runInterleaved(cases)
    console.info(`\nguarded (tarball) / the same app without nuxt-guard: ${median(consumer.perRound.map(r => r[1]! / r[0]!)).toFixed(3)} (median of rounds), ${(consumer.rps[1]! / consumer.rps[0]!).toFixed(3)} pooled`)
    if (consumer.non2xx.some(Boolean)) process.exitCode = 1
  })
}

await main()
