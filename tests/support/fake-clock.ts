/**
 * A clock for `createGuard({ now })` that only moves when told to, and only
 * forward. It starts at the current time, rounded down to a whole second so
 * that JWT second arithmetic is exact.
 */
export function fakeClock() {
  let ms = Math.floor(Date.now() / 1000) * 1000
  return {
    now: () => ms,
    advance(byMs: number) { ms += byMs },
    set(toMs: number) {
      if (toMs < ms) throw new Error('the fake clock only moves forward')
      ms = toMs
    },
  }
}

export type FakeClock = ReturnType<typeof fakeClock>
