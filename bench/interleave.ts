import autocannon from 'autocannon'

export const SECONDS_PER_ROUND = Number(process.env.BENCH_SECONDS ?? 2)
export const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 8)
const WARM_UP_SECONDS = 5
export const CONNECTIONS = 10

export interface BenchCase { name: string; url: string; headers: Record<string, string> }
export interface Interleaved {
  /** req/s per case, pooled over every round. */
  rps: number[]
  /** req/s per case in each round (`perRound[round][case]`). */
  perRound: number[][]
  /** The worst p99 (ms) per case over the rounds. */
  p99: number[]
  /** Non-2xx answers and errors per case. */
  non2xx: number[]
}

function measure(url: string, headers: Record<string, string>, seconds: number): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    autocannon({ url, headers, connections: CONNECTIONS, duration: seconds }, (error, result) => (error ? reject(error) : resolve(result)))
  })
}

/**
 * Measures the cases round by round with autocannon on loopback, after a
 * warm-up; every other round runs them in reverse, so a drift in machine
 * speed favours none of them. Prints each round and a summary table.
 *
 * @example
 * const { perRound } = await runInterleaved([{ name: 'open', url, headers: {} }, …])
 * median(perRound.map(r => r[1] / r[0]))
 */
export async function runInterleaved(cases: BenchCase[]): Promise<Interleaved> {
  for (const c of cases) await measure(c.url, c.headers, WARM_UP_SECONDS) // warm-up: JIT, caches
  const totals = cases.map(() => ({ requests: 0, seconds: 0, non2xx: 0, p99: 0 }))
  const perRound: number[][] = []
  for (let round = 1; round <= ROUNDS; round++) {
    const order = round % 2 ? [...cases.keys()] : [...cases.keys()].reverse()
    const rates: number[] = []
    for (const index of order) {
      const c = cases[index]!
      const result = await measure(c.url, c.headers, SECONDS_PER_ROUND)
      const total = totals[index]!
      total.requests += result.requests.total
      total.seconds += result.duration
      total.non2xx += result.non2xx + result.errors
      total.p99 = Math.max(total.p99, result.latency.p99)
      rates[index] = result.requests.total / result.duration
      console.info(`round ${round}  ${c.name.padEnd(24)} ${rates[index]!.toFixed(0).padStart(7)} req/s`)
    }
    perRound.push(rates)
  }
  const rps = totals.map(t => t.requests / t.seconds)
  console.info('\ncase                       req/s     p99 ms   non-2xx')
  cases.forEach((c, i) => console.info(`${c.name.padEnd(24)} ${rps[i]!.toFixed(0).padStart(7)}  ${totals[i]!.p99.toFixed(1).padStart(8)}  ${String(totals[i]!.non2xx).padStart(8)}`))
  return { rps, perRound, p99: totals.map(t => t.p99), non2xx: totals.map(t => t.non2xx) }
}

/** The median of a list (of per-round ratios: it shrugs off a noisy round). */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = sorted.length >> 1
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2
}
