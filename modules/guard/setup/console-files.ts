import { existsSync, readdirSync } from 'node:fs'
import { join, relative } from 'node:path'
import type { NuxtPage } from '@nuxt/schema'

/**
 * Where the built-in pages, components, stores and styles are. In the
 * published package they sit beside the module under `dist/runtime/`; in this
 * repository they are the top-level folders of the same names.
 *
 * @example
 * consoleDir(resolver.resolve, 'pages') // '/app/node_modules/nuxt-guard/dist/runtime/pages'
 */
export function consoleDir(resolve: (path: string) => string, name: 'pages' | 'components' | 'stores' | 'assets'): string {
  const shipped = resolve(`./runtime/${name}`)
  return existsSync(shipped) ? shipped : resolve(`../../${name}`)
}

/**
 * The built-in pages as routes: `account/security.vue` → `/account/security`,
 * `admin/index.vue` → `/admin`. Pages under `admin/` move to `consolePath`;
 * `include` filters by the route's own (unmoved) path. Each page draws its own
 * frame (`GuardFrame`), so none uses the app's layout.
 *
 * @example
 * builtInPages('/…/pages', { consolePath: '/ops/guard', include: path => true })
 * // [{ name: 'guard-sign-in', path: '/sign-in', file: '/…/pages/sign-in.vue', meta: { layout: false } }, …]
 */
export function builtInPages(directory: string, options: { consolePath: string; include: (path: string) => boolean }): NuxtPage[] {
  const pages: NuxtPage[] = []
  for (const entry of readdirSync(directory, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.vue')) continue
    const file = join(entry.parentPath, entry.name)
    const segments = relative(directory, file).replace(/\.vue$/, '').split(/[\\/]/)
    if (segments.at(-1) === 'index') segments.pop()
    const path = `/${segments.join('/')}`
    if (path === '/' || !options.include(path)) continue
    const routePath = isConsolePage(path) ? options.consolePath + path.slice(CONSOLE_DIR.length) : path
    pages.push({ name: `guard${path.replace(/\//g, '-')}`, path: routePath, file, meta: { layout: false } })
  }
  return pages
}

/** Where the console's pages sit among the built-in pages (`pages/admin/`), before `console.path` moves them. */
const CONSOLE_DIR = '/admin'

/**
 * Whether a built-in page's own (unmoved) path is one of the console's.
 *
 * @example
 * isConsolePage('/admin/users') // true
 * isConsolePage('/administer')  // false
 */
export function isConsolePage(path: string): boolean {
  return path === CONSOLE_DIR || path.startsWith(`${CONSOLE_DIR}/`)
}

/**
 * Every path in a page tree (children joined to their parents), to tell which
 * paths the app already defines.
 *
 * @example
 * pagePaths([{ path: '/account', children: [{ path: 'security' }] }]) // Set { '/account', '/account/security' }
 */
export function pagePaths(pages: NuxtPage[], parent = ''): Set<string> {
  const paths = new Set<string>()
  for (const page of pages) {
    const path = page.path.startsWith('/') ? page.path : `${parent}/${page.path}`
    paths.add(path.replace(/\/$/, '') || '/')
    for (const child of pagePaths(page.children ?? [], path)) paths.add(child)
  }
  return paths
}
