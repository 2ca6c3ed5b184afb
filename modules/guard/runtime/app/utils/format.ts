/**
 * A timestamp (ISO string, unix seconds or milliseconds) as a short local
 * date and time; '—' when missing. Call it in the browser (local time zone).
 *
 * @example
 * formatWhen(1700000000)              // 'Nov 14, 2023, 10:13 PM'
 * formatWhen('2026-11-23T06:00:00Z')  // 'Nov 23, 2026, 7:00 AM'
 */
export function formatWhen(value: string | number | null | undefined): string {
  if (value === null || value === undefined || value === '') return '—'
  const date = typeof value === 'number' ? new Date(value < 1e12 ? value * 1_000 : value) : new Date(value)
  if (Number.isNaN(date.getTime())) return '—'
  return date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' })
}

/**
 * A User-Agent string reduced to "Browser on OS", for session lists.
 *
 * @example
 * describeDevice('Mozilla/5.0 (Macintosh; Intel Mac OS X 14_1) … Chrome/120 Safari/537.36') // 'Chrome on macOS'
 * describeDevice(null) // 'Unknown device'
 */
export function describeDevice(userAgent: string | null | undefined): string {
  if (!userAgent) return 'Unknown device'
  const browser = /Edg\//.test(userAgent) ? 'Edge'
    : /Firefox\//.test(userAgent) ? 'Firefox'
      : /Chrom(e|ium)\//.test(userAgent) ? 'Chrome'
        : /Safari\//.test(userAgent) ? 'Safari'
          : /node|undici|curl/i.test(userAgent) ? 'Script' : 'Browser'
  const os = /iPhone|iPad/.test(userAgent) ? 'iOS'
    : /Android/.test(userAgent) ? 'Android'
      : /Mac OS X|Macintosh/.test(userAgent) ? 'macOS'
        : /Windows/.test(userAgent) ? 'Windows'
          : /Linux/.test(userAgent) ? 'Linux' : ''
  return os ? `${browser} on ${os}` : browser
}
