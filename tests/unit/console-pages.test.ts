import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { builtInPages, pagePaths } from '../../modules/guard/setup/console-files'

const pagesDir = fileURLToPath(new URL('../../pages', import.meta.url))
const paths = (pages: { path: string }[]) => pages.map(page => page.path).sort()

describe('the built-in pages the module registers', () => {
  it('serves sign-in, sign-up, MFA, account and the console at their paths, each drawing its own frame', () => {
    const pages = builtInPages(pagesDir, { consolePath: '/admin', include: () => true })
    expect(paths(pages)).toEqual(expect.arrayContaining(['/sign-in', '/sign-up', '/mfa-challenge', '/account/manage-mfa/add', '/account/security', '/org-selection', '/org-invitation', '/organization', '/admin', '/admin/users', '/admin/organizations', '/admin/simulator']))
    expect(paths(pages)).not.toContain('/') // the app's home is the app's own
    expect(new Set(pages.map(page => page.name)).size).toBe(pages.length)
    for (const page of pages) expect(page.meta).toEqual({ layout: false })
  })

  it('moves every console page under console.path and nothing else', () => {
    const pages = builtInPages(pagesDir, { consolePath: '/ops/guard', include: () => true })
    expect(paths(pages).filter(path => path.startsWith('/ops/guard'))).toEqual(['/ops/guard', '/ops/guard/audit', '/ops/guard/history', '/ops/guard/mfa', '/ops/guard/organizations', '/ops/guard/outbox', '/ops/guard/routes', '/ops/guard/simulator', '/ops/guard/users'])
    expect(paths(pages).some(path => path.startsWith('/admin'))).toBe(false)
    expect(paths(pages)).toContain('/sign-in')
  })

  it('leaves out what include refuses (pages: false, console: false)', () => {
    const consoleOnly = builtInPages(pagesDir, { consolePath: '/admin', include: path => path.startsWith('/admin') })
    expect(paths(consoleOnly).every(path => path.startsWith('/admin'))).toBe(true)
    expect(builtInPages(pagesDir, { consolePath: '', include: () => false })).toEqual([])
  })

  it('knows every path an app already defines, nested children included, so the app’s page wins', () => {
    const taken = pagePaths([{ path: '/sign-in', file: 'a.vue' }, { path: '/account', file: 'b.vue', children: [{ path: 'security', file: 'c.vue' }] }])
    expect(taken).toEqual(new Set(['/sign-in', '/account', '/account/security']))
  })
})
