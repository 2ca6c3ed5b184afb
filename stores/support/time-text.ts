/**
 * How the console writes a moment: "3 min ago" beside the full local date
 * and time. Plain TypeScript, so the wording is unit-tested.
 */

/**
 * How long ago `iso` was, in the coarsest unit that fits.
 *
 * @example
 * timeAgo('2026-11-23T06:00:00Z', Date.parse('2026-11-23T06:05:30Z')) // → '5 min ago'
 */
export function timeAgo(iso: string, now: number = Date.now()): string {
  const seconds = Math.round((now - new Date(iso).getTime()) / 1000)
  if (!Number.isFinite(seconds)) return 'unknown time'
  if (seconds < 60) return 'just now'
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)} h ago`
  return `${Math.floor(seconds / 86_400)} d ago`
}

/**
 * The full local date and time of `iso` (medium date, seconds included).
 *
 * @example
 * fullTime('2026-11-23T06:00:00Z') // → 'Nov 23, 2026, 6:00:00 AM' (in en-US, UTC)
 */
export function fullTime(iso: string): string {
  return new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' })
}
