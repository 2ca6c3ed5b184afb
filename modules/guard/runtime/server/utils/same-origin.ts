import { getRequestHost, type H3Event } from 'h3'

/**
 * Whether a browser's `Origin` header names this server's own host (the
 * `Host` header; `X-Forwarded-Host` is never believed). An opaque origin
 * (`null`) or one that is not a URL is never the same origin. The CSRF gate
 * of the guard's API and the WebSocket upgrade check both ask this.
 *
 * @example
 * isSameOrigin(event, 'https://app.example.com') // true when Host is app.example.com
 * isSameOrigin(event, 'null')                    // false
 */
export function isSameOrigin(event: H3Event, origin: string): boolean {
  if (origin === 'null') return false
  try {
    return new URL(origin).host === getRequestHost(event, { xForwardedHost: false })
  }
  catch {
    return false
  }
}
