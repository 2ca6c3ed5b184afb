/**
 * Live claims at scale: the first request after a claims-template save, for
 * 1,000 active sessions. A save through the admin API (PUT
 * /api/_guard/admin/config) makes every token minted before it stale (its
 * `cep` claim names an older config version); the next request of each
 * session re-mints its token (cookie sessions get a new one in Set-Cookie).
 *
 * Measured: the wall time from the save's answer until all 1,000 sessions
 * carry a token with the new claim (each checked: `cep[0]` is the saved
 * version and the template's new value is in it), and the p99 latency of
 * those 1,000 requests; beside the same 1,000 requests with no save before
 * them (every token a cache hit). Requests go 50 at a time, rounds alternate
 * (no save first, then save first), the table shows the median round.
 *
 * The 1,000 sessions are real rows in the server's store, made while the
 * server is stopped (embedded PGlite allows one process per data directory):
 * users without a usable password (so no 1,000 password hashes) and a
 * session each with a refresh secret only this bench knows. Their first
 * request, with the refresh cookie alone, has the server mint their token.
 */
import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import { openDatabase } from '../modules/guard/runtime/core/store/db/database'
import { insertSession } from '../modules/guard/runtime/core/store/sessions'
import { newId, randomToken, sha256 } from '../modules/guard/runtime/core/crypto/random'
import type { BenchServer } from './verify-under-hashing'

const SESSIONS = Number(process.env.BENCH_SESSIONS ?? 1_000)
const IN_FLIGHT = 50
const ROUNDS = Number(process.env.BENCH_REMINT_ROUNDS ?? 3)

interface Pass { wallMs: number; p50: number; p99: number; max: number; reminted: number; stale: number }

/** A client session: its cookies, as the server set them. */
class Session {
  readonly cookies: Map<string, string>
  constructor(cookies: [string, string][] = []) { this.cookies = new Map(cookies) }
  get header(): string { return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ') }
  /** The session token cookie's value. */
  get token(): string | undefined { return [...this.cookies].find(([name]) => /^(?:__Host-)?guard_session$/.test(name))?.[1] }
  /** Keeps what a Set-Cookie answer sets; returns the new session token, if one was set. */
  take(response: Response): string | undefined {
    let token: string | undefined
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';')
      const [name, ...value] = pair!.split('=')
      this.cookies.set(name!, value.join('='))
      if (/^(?:__Host-)?guard_session$/.test(name!)) token = value.join('=')
    }
    return token
  }
}

function claimsOf(token: string): Record<string, any> {
  return JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8'))
}

const at = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!

/** Every session makes one request, IN_FLIGHT at a time; `check` says whether its answer is fresh. */
async function pass(origin: string, path: string, sessions: Session[], check: (session: Session, newToken: string | undefined) => boolean): Promise<Pass> {
  const times: number[] = []
  let next = 0
  let reminted = 0
  let stale = 0
  const started = performance.now()
  await Promise.all(Array.from({ length: IN_FLIGHT }, async () => {
    while (next < sessions.length) {
      const session = sessions[next++]!
      const sent = performance.now()
      const response = await fetch(`${origin}${path}`, { headers: { cookie: session.header } })
      await response.arrayBuffer()
      times.push(performance.now() - sent)
      if (response.status !== 200) throw new Error(`${path} answered ${response.status} to a signed-in session`)
      const token = session.take(response)
      if (token) reminted++
      if (!check(session, token)) stale++
    }
  }))
  const wallMs = performance.now() - started
  const sorted = times.sort((a, b) => a - b)
  return { wallMs, p50: at(sorted, 0.5), p99: at(sorted, 0.99), max: sorted.at(-1)!, reminted, stale }
}

async function json(response: Response): Promise<any> {
  const text = await response.text()
  if (!response.ok) throw new Error(`${response.url} answered ${response.status}: ${text}`)
  return JSON.parse(text)
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted.length % 2 ? sorted[sorted.length >> 1]! : (sorted[sorted.length / 2 - 1]! + sorted[sorted.length / 2]!) / 2
}

/**
 * Runs the case: `start` starts the server on `dataDir` (its
 * NUXT_GUARD_DATA_DIR, with the same secret each time); it is stopped once
 * while the sessions are written to its store.
 *
 * @example
 * await benchRemint(() => startServer(3904, { dataDir, secret }), dataDir, '/bench/guarded')
 */
export async function benchRemint(start: () => Promise<BenchServer>, dataDir: string, path: string): Promise<{ remint: Pass; baseline: Pass }> {
  // 1. The admin (the first account) signs up through the API.
  let server = await start()
  const admin = new Session()
  try {
    admin.take(await fetch(`${server.origin}/api/_guard/sign-up`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: `admin-${Date.now()}@acme.test`, password: 'correct horse battery' }),
    }).then(async (response) => { if (!response.ok) throw new Error(`admin sign-up: ${response.status} ${await response.text()}`); return response }))
  }
  finally { await server.stop() }
  const refreshName = [...admin.cookies.keys()].find(name => /^(?:__Host-)?guard_refresh$/.test(name))
  if (!refreshName) throw new Error('the sign-up set no refresh cookie')

  // 2. 1,000 users and sessions, written to the store while the server is stopped.
  const sessions: Session[] = []
  // The server keeps its embedded database in <data dir>/db (NUXT_GUARD_DATA_DIR).
  const db = await openDatabase({ dataDir: join(dataDir, 'db') })
  try {
    const run = randomBytes(4).toString('hex')
    const ids = Array.from({ length: SESSIONS }, (_, i) => `user_remint_${run}_${i}`)
    // No usable password ('!' never verifies): these accounts only ever use the sessions made here.
    await db.query(
      `insert into guard_users (id, email, password_hash, roles)
       select id, id || '@acme.test', '!', '["member"]'::jsonb from unnest($1::text[]) as id`,
      [ids],
    )
    const createdAt = new Date()
    const expiresAt = new Date(createdAt.getTime() + 7 * 86_400_000)
    for (const userId of ids) {
      const refresh = randomToken()
      await insertSession(db, { id: newId('sess'), userId, refreshHash: sha256(refresh), createdAt, expiresAt, ip: '127.0.0.1', userAgent: 'bench' })
      sessions.push(new Session([[refreshName, refresh]]))
    }
  }
  finally { await db.close() }

  server = await start()
  try {
    const { origin } = server
    // 3. Each session's first request: the refresh cookie alone, so the server mints its token.
    const signedIn = await pass(origin, path, sessions, (_session, token) => token !== undefined)
    if (signedIn.stale) throw new Error(`${signedIn.stale} of ${SESSIONS} sessions got no token on their first request`)
    const warm = await pass(origin, path, sessions, (_session, token) => token === undefined)
    if (warm.stale) throw new Error(`${warm.stale} sessions were re-minted with no save`)

    const save = async (tier: string) => {
      const current = await json(await fetch(`${origin}/api/_guard/admin/config`, { headers: { cookie: admin.header } }))
      const document = { ...current.document, claims: { ...current.document.claims, template: { ...current.document.claims.template, tier } } }
      const saved = await json(await fetch(`${origin}/api/_guard/admin/config`, {
        method: 'PUT', headers: { 'cookie': admin.header, 'content-type': 'application/json', 'origin': origin }, body: JSON.stringify({ version: current.version, document }),
      }))
      return saved.version as number
    }
    const baselines: Pass[] = []
    const remints: Pass[] = []
    const saveMs: number[] = []
    for (let round = 1; round <= ROUNDS; round++) {
      const baseline = () => pass(origin, path, sessions, (_session, token) => token === undefined)
      const remint = async () => {
        const tier = `tier-${round}-${randomBytes(3).toString('hex')}`
        const saveStarted = performance.now()
        const version = await save(tier)
        saveMs.push(performance.now() - saveStarted)
        // Fresh: this request's answer carries a new token rendered from the saved version and template.
        return pass(origin, path, sessions, (_session, token) => {
          if (!token) return false
          const claims = claimsOf(token)
          return claims.cep?.[0] === version && claims.tier === tier
        })
      }
      if (round % 2) { baselines.push(await baseline()); remints.push(await remint()) }
      else { remints.push(await remint()); baselines.push(await baseline()) }
    }
    const stale = remints.reduce((sum, r) => sum + r.stale, 0)
    const mid = (passes: Pass[], key: keyof Pass) => median(passes.map(p => p[key]))
    const remint = { wallMs: mid(remints, 'wallMs'), p50: mid(remints, 'p50'), p99: mid(remints, 'p99'), max: mid(remints, 'max'), reminted: mid(remints, 'reminted'), stale }
    const baseline = { wallMs: mid(baselines, 'wallMs'), p50: mid(baselines, 'p50'), p99: mid(baselines, 'p99'), max: mid(baselines, 'max'), reminted: 0, stale: 0 }
    const row = (name: string, p: Pass) => console.info(`${name.padEnd(34)} ${p.wallMs.toFixed(0).padStart(8)} ${p.p50.toFixed(1).padStart(7)} ${p.p99.toFixed(1).padStart(8)} ${p.max.toFixed(1).padStart(8)}`)
    console.info(`\n${SESSIONS.toLocaleString('en')} sessions, ${IN_FLIGHT} in flight     all done ms     p50      p99      max`)
    row('no save (every token cached)', baseline)
    row('first request after a template save', remint)
    console.info(`re-minted: ${remint.reminted} of ${SESSIONS} per save, ${stale} stale answers over ${ROUNDS} saves (each save answered in ${median(saveMs).toFixed(0)} ms, median)`)
    console.info(`after a save / no save: time to all re-minted ${(remint.wallMs / baseline.wallMs).toFixed(2)}×, p99 ${(remint.p99 / baseline.p99).toFixed(2)}×   (median of ${ROUNDS} rounds; each round's ratio: ${remints.map((r, i) => `${(r.wallMs / baselines[i]!.wallMs).toFixed(2)}/${(r.p99 / baselines[i]!.p99).toFixed(2)}`).join(', ')})`)
    if (stale) process.exitCode = 1
    return { remint, baseline }
  }
  finally { await server.stop() }
}
