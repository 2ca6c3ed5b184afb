/**
 * The cookies a browser would hold for one site: what every test client
 * sends back. Set-Cookie lines are applied as a browser does: an expired
 * (`Max-Age=0`, a 1970 `Expires`) or emptied cookie is dropped.
 *
 * @example
 * const jar = new CookieJar()
 * jar.absorb(response.headers.getSetCookie())
 * await fetch(url, { headers: { cookie: jar.header } })
 */
export class CookieJar extends Map<string, string> {
  /** The `Cookie` request header for these cookies ('' when there are none). */
  get header(): string {
    return [...this].map(([name, value]) => `${name}=${value}`).join('; ')
  }

  /** Applies the Set-Cookie lines of one response (node's string | string[], or fetch's getSetCookie()). */
  absorb(setCookie: string | readonly string[] | undefined): void {
    for (const line of ([] as string[]).concat(setCookie ?? [])) {
      const [pair, ...attributes] = line.split(';')
      const [name, ...rest] = pair!.split('=')
      const value = rest.join('=')
      const expired = attributes.some(a => /max-age=0\b/i.test(a.trim()) || /expires=Thu, 01 Jan 1970/i.test(a.trim()))
      if (expired || value === '') this.delete(name!.trim())
      else this.set(name!.trim(), value)
    }
  }
}
