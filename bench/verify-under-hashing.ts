/**
 * The cost of password hashing to everyone else: the latency of requests that
 * must verify a token never seen before (no cache hit: a signature check on
 * the thread pool), idle and while 20 sign-ins hash passwords at once.
 * Target: p99 under load within 2× of idle.
 */
const TOKENS_PER_PHASE = Number(process.env.BENCH_TOKENS ?? 200)
const CONCURRENT_SIGN_INS = 20

interface Phase { p50: number; p99: number; max: number }

async function signIn(origin: string, email: string, action: 'sign-in' | 'sign-up' = 'sign-in'): Promise<string> {
  const response = await fetch(`${origin}/api/_guard/${action}`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password: 'correct horse battery' }),
  })
  if (!response.ok) throw new Error(`${action} failed: ${response.status} ${await response.text()}`)
  const session = response.headers.getSetCookie().find(line => /^(?:__Host-)?guard_session=/.test(line))
  if (!session) throw new Error('sign-in set no session cookie')
  return session.split(';')[0]!.split('=').slice(1).join('=')
}

/** Fresh tokens: each sign-in mints one the server has never verified. */
async function freshTokens(origin: string, email: string, count: number): Promise<string[]> {
  const tokens: string[] = []
  for (let i = 0; i < count; i++) tokens.push(await signIn(origin, email))
  return tokens
}

async function timeRequests(origin: string, path: string, tokens: string[]): Promise<Phase> {
  const times: number[] = []
  for (const token of tokens) {
    const started = performance.now()
    const response = await fetch(`${origin}${path}`, { headers: { authorization: `Bearer ${token}` } })
    await response.arrayBuffer()
    if (response.status !== 200) throw new Error(`${path} answered ${response.status} to a fresh token`)
    times.push(performance.now() - started)
  }
  const sorted = times.sort((a, b) => a - b)
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!
  return { p50: at(0.5), p99: at(0.99), max: sorted.at(-1)! }
}

/**
 * Runs both phases against a started server whose `email` account exists
 * (password `correct horse battery`) and prints the comparison.
 *
 * @example
 * await benchVerifyUnderHashing('http://127.0.0.1:3901', '/bench/guarded', 'bench@acme.test')
 */
export async function benchVerifyUnderHashing(origin: string, path: string, email: string): Promise<void> {
  const idleTokens = await freshTokens(origin, email, TOKENS_PER_PHASE)
  const loadTokens = await freshTokens(origin, email, TOKENS_PER_PHASE)
  // Twenty people signing in at once: each their own account (one account's parallel sign-ins from one
  // client are throttled like guesses, which is not the load this measures).
  const people = Array.from({ length: CONCURRENT_SIGN_INS }, (_, i) => `load-${i}-${Date.now()}@acme.test`)
  for (const person of people) await signIn(origin, person, 'sign-up')
  const idle = await timeRequests(origin, path, idleTokens)
  let signIns = 0
  let stop = false
  // Keep 20 sign-ins in flight for as long as the loaded phase runs.
  const workers = people.map(async (person) => {
    while (!stop) { await signIn(origin, person); signIns++ }
  })
  await new Promise(resolve => setTimeout(resolve, 300))
  const loaded = await timeRequests(origin, path, loadTokens)
  stop = true
  await Promise.all(workers)
  const row = (name: string, phase: Phase) => console.info(`${name.padEnd(34)} ${phase.p50.toFixed(1).padStart(7)} ${phase.p99.toFixed(1).padStart(8)} ${phase.max.toFixed(1).padStart(8)}`)
  console.info('\nnew-token request latency (ms)        p50      p99      max')
  row('idle', idle)
  row(`during ${CONCURRENT_SIGN_INS} concurrent sign-ins`, loaded)
  console.info(`p99 under load / idle: ${(loaded.p99 / idle.p99).toFixed(2)}   target ≤ 2   (${signIns} sign-ins completed meanwhile, ${TOKENS_PER_PHASE} fresh tokens per phase)`)
}
