/**
 * The cost of password hashing to everyone else: the latency of requests that
 * must verify a token never seen before (no cache hit: a signature check on
 * the thread pool), idle and while 20 sign-ins hash passwords at once.
 * Target: p99 under load within 2× of idle.
 *
 * A token minted by a sign-in is remembered by the process that minted it (the
 * sign-in answer already holds its claims), so a request with it would be a
 * cache hit. The tokens are therefore minted by one server process, which is
 * then stopped; the measured process is a fresh start on the same data
 * directory and secret (the same signing keys), as after a deploy or on
 * another instance: it has verified none of them.
 */
const TOKENS_PER_PHASE = Number(process.env.BENCH_TOKENS ?? 200)
/** Unseen tokens verified before the idle phase: JIT and lazy set-up, so the idle phase is not a cold start. */
const WARM_UP_TOKENS = 50
const CONCURRENT_SIGN_INS = 20
/** Each phase is measured in this many blocks, idle and loaded alternating. */
const BLOCKS = 4

interface Phase { p50: number; p99: number; max: number }

/**
 * A started server; `stop()` ends it gracefully (its database closed and
 * unlocked). With `busyThread`, it preloads bench/busy-thread.mjs, which
 * `busyThread()` switches on and off (the control phase).
 */
export interface BenchServer { origin: string; stop(): Promise<void>; busyThread?: () => void }

/** What the case prints and returns. */
export interface HashingResult { idle: Phase; loaded: Phase; ratio: number; signIns: number; control?: Phase; controlRatio?: number }

/** Signs in (or up) and returns the cookies the server set, by name. */
async function signIn(origin: string, email: string, action: 'sign-in' | 'sign-up' = 'sign-in'): Promise<Map<string, string>> {
  const response = await fetch(`${origin}/api/_guard/${action}`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password: 'correct horse battery' }),
  })
  if (!response.ok) throw new Error(`${action} failed: ${response.status} ${await response.text()}`)
  const cookies = new Map(response.headers.getSetCookie().map((line) => {
    const [name, ...value] = line.split(';')[0]!.split('=')
    return [name!, value.join('=')] as const
  }))
  if (![...cookies.keys()].some(name => /^(?:__Host-)?guard_session$/.test(name))) throw new Error('sign-in set no session cookie')
  return cookies
}

/**
 * Fresh tokens of one session: each request that shows only the refresh
 * cookie gets a newly minted token (a refresh: no password hashing, so
 * minting hundreds is quick). ES256 signatures are randomized: every token differs.
 */
async function mintTokens(origin: string, path: string, cookies: Map<string, string>, count: number): Promise<string[]> {
  const refresh = [...cookies].find(([name]) => /^(?:__Host-)?guard_refresh$/.test(name))
  if (!refresh) throw new Error('sign-in set no refresh cookie')
  const tokens: string[] = []
  while (tokens.length < count) {
    const response = await fetch(`${origin}${path}`, { headers: { cookie: `${refresh[0]}=${refresh[1]}` } })
    await response.arrayBuffer()
    const session = response.headers.getSetCookie().find(line => /^(?:__Host-)?guard_session=/.test(line))
    if (response.status !== 200 || !session) throw new Error(`a refresh on ${path} answered ${response.status}${session ? '' : ' without a new token'}`)
    tokens.push(session.split(';')[0]!.split('=').slice(1).join('='))
  }
  return tokens
}

/** One request per token, one at a time; the latency of each (ms). */
async function timeRequests(origin: string, path: string, tokens: string[]): Promise<number[]> {
  const times: number[] = []
  for (const token of tokens) {
    const started = performance.now()
    const response = await fetch(`${origin}${path}`, { headers: { authorization: `Bearer ${token}` } })
    await response.arrayBuffer()
    if (response.status !== 200) throw new Error(`${path} answered ${response.status} to a fresh token`)
    times.push(performance.now() - started)
  }
  return times
}

function summary(times: number[]): Phase {
  const sorted = [...times].sort((a, b) => a - b)
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!
  return { p50: at(0.5), p99: at(0.99), max: sorted.at(-1)! }
}

/**
 * Mints the tokens on one start of the server, restarts it (`start` must
 * open the same data directory with the same secret) and measures both
 * phases on the second start; prints the comparison.
 *
 * @example
 * await benchVerifyUnderHashing(() => startServer(3903, { dataDir, secret }), '/bench/guarded')
 */
export async function benchVerifyUnderHashing(start: () => Promise<BenchServer>, path: string): Promise<HashingResult> {
  const email = `bench-hashing-${Date.now()}@acme.test`
  // Twenty people signing in at once: each their own account (one account's parallel sign-ins from one
  // client are throttled like guesses, which is not the load this measures).
  const people = Array.from({ length: CONCURRENT_SIGN_INS }, (_, i) => `load-${i}-${Date.now()}@acme.test`)
  let server = await start()
  let warmTokens: string[], idleTokens: string[], loadTokens: string[], controlTokens: string[]
  try {
    const cookies = await signIn(server.origin, email, 'sign-up')
    for (const person of people) await signIn(server.origin, person, 'sign-up')
    warmTokens = await mintTokens(server.origin, path, cookies, WARM_UP_TOKENS)
    idleTokens = await mintTokens(server.origin, path, cookies, TOKENS_PER_PHASE)
    loadTokens = await mintTokens(server.origin, path, cookies, TOKENS_PER_PHASE)
    controlTokens = server.busyThread ? await mintTokens(server.origin, path, cookies, TOKENS_PER_PHASE) : []
  }
  finally {
    await server.stop()
  }
  // A new process: none of these tokens is in its cache of verified tokens.
  server = await start()
  try {
    const { origin } = server
    // Warm-up, so no phase pays for the first of anything in this process (the database's first
    // statements, the hashing thread's start, JIT): every person signs in once, then the warm tokens.
    await Promise.all(people.map(person => signIn(origin, person)))
    await timeRequests(origin, path, warmTokens)
    const times = { idle: [] as number[], loaded: [] as number[], control: [] as number[] }
    let signIns = 0
    const phases = server.busyThread ? ['idle', 'loaded', 'control'] as const : ['idle', 'loaded'] as const
    // The phases' blocks take turns (each block starts the round with the next phase), so a
    // machine that gets busier or quieter meanwhile weighs on every phase alike.
    const size = Math.ceil(TOKENS_PER_PHASE / BLOCKS)
    for (let block = 0; block < BLOCKS; block++) {
      const slice = (tokens: string[]) => tokens.slice(block * size, (block + 1) * size)
      for (let turn = 0; turn < phases.length; turn++) {
        const phase = phases[(block + turn) % phases.length]!
        if (phase === 'idle') {
          times.idle.push(...await timeRequests(origin, path, slice(idleTokens)))
        }
        else if (phase === 'loaded') {
          let stop = false
          // Keep 20 sign-ins in flight for as long as the loaded block runs, then let them finish.
          const workers = people.map(async (person) => {
            while (!stop) { await signIn(origin, person); signIns++ }
          })
          await new Promise(resolve => setTimeout(resolve, 300))
          times.loaded.push(...await timeRequests(origin, path, slice(loadTokens)))
          stop = true
          await Promise.all(workers)
        }
        else {
          server.busyThread!()
          await new Promise(resolve => setTimeout(resolve, 300))
          times.control.push(...await timeRequests(origin, path, slice(controlTokens)))
          server.busyThread!()
          await new Promise(resolve => setTimeout(resolve, 1_000)) // its last hash ends
        }
      }
    }
    const idle = summary(times.idle)
    const loaded = summary(times.loaded)
    const control = times.control.length ? summary(times.control) : undefined
    const ratio = loaded.p99 / idle.p99
    const row = (name: string, phase: Phase) => console.info(`${name.padEnd(34)} ${phase.p50.toFixed(1).padStart(7)} ${phase.p99.toFixed(1).padStart(8)} ${phase.max.toFixed(1).padStart(8)}`)
    console.info('\nnew-token request latency (ms)        p50      p99      max')
    row('idle', idle)
    row(`during ${CONCURRENT_SIGN_INS} concurrent sign-ins`, loaded)
    if (control) row('control: a thread hashing nonstop', control)
    console.info(`p99 under load / idle: ${ratio.toFixed(2)}   target ≤ 2   (${signIns} sign-ins completed meanwhile, ${TOKENS_PER_PHASE} never-seen tokens per phase in ${BLOCKS} blocks taking turns, each verified by the server)`)
    const controlRatio = control && control.p99 / idle.p99
    if (control) console.info(`control p99 / idle: ${controlRatio!.toFixed(2)}   (the CPU of the sign-ins' hashing alone: one thread running scrypt back to back at the hashing thread's priority, no sign-in on the event loop)`)
    return { idle, loaded, ratio, signIns, control, controlRatio }
  }
  finally {
    await server.stop()
  }
}
