import { describe, expect, it } from 'vitest'
import type { NuxtPage } from '@nuxt/schema'
import { extractPageRules, routeGlobs, serverRoutesOf } from '../../modules/guard/setup/page-rules'
import { checkPageRules, registerPageRules, registeredPageRules, type PageRule } from '../../modules/guard/runtime/core/policy/page-rules'
import { compilePolicy } from '../../modules/guard/runtime/core/policy/compile'
import { validateConfig } from '../../modules/guard/runtime/core/config/validate'
import { simulateRequest } from '../../modules/guard/runtime/core/admin/simulate'
import type { GuardConfigInput } from '../../modules/guard/runtime/core/config/schema'
import { ALLOWED_BY_RULES, NOT_ENROLLED, claims, enrolledOnly, judge, outcome, totpDone } from '../support/policy'

const ROOT = '/app'
const page = (path: string, file: string, guard?: unknown, more: Partial<NuxtPage> = {}): NuxtPage =>
  ({ path, file: `${ROOT}/${file}`, meta: guard === undefined ? {} : { guard }, ...more }) as NuxtPage
const extract = (pages: NuxtPage[], serverRoutes: string[] = [], readFile = (_: string) => '') =>
  extractPageRules(pages, { rootDir: ROOT, serverRoutes, readFile })

/** The built-in and fixture pages every app has beside its own. */
const COMMON = [page('/', 'pages/index.vue'), page('/dashboard', 'pages/dashboard.vue'), page('/sign-in', 'node_modules/nuxt-guard/dist/runtime/pages/sign-in.vue')]

describe('routeGlobs: a Vue Router path as the route globs the guard matches', () => {
  it.each([
    ['/supertokens-totp', ['/supertokens-totp']],
    ['/', ['/']],
    ['/Reports/Q1', ['/reports/q1']],
    ['/users/:id()', ['/users/*']],
    ['/users/:id()/edit', ['/users/*/edit']],
    ['/files/report-:id().pdf', ['/files/*']],
    ['/docs/:slug(.*)*', ['/docs/**']],
    ['/:lang?/about', ['/about', '/*/about']],
    ['/users/:id', ['/users/*']],
  ])('%s → %j', (path, globs) => {
    expect(routeGlobs(path)).toEqual(globs)
  })

  it('refuses a repeated parameter before the end (no glob expresses it)', () => {
    expect(routeGlobs('/a/:rest(.*)*/edit')).toMatch(/repeated parameter before its end/)
  })
})

describe('extractPageRules: definePageMeta({ guard }) → server rules', () => {
  it('the waiver and a requirement become rules naming their page; pages without guard make none', () => {
    const found = extract([...COMMON,
      page('/supertokens-totp', 'pages/supertokens-totp.vue', { mfa: false }),
      page('/billing', 'pages/billing.vue', { stepUp: { maxAgeSeconds: 300 } }),
    ])
    expect(found).toEqual({
      problems: [],
      rules: [
        { pattern: '/supertokens-totp', require: { mfa: false }, page: 'pages/supertokens-totp.vue' },
        { pattern: '/billing', require: { stepUp: { maxAgeSeconds: 300 } }, page: 'pages/billing.vue' },
      ],
    })
  })

  it('aliases are covered; a child without its own guard takes its parent\'s (Vue Router merges to.meta); its own replaces it', () => {
    const found = extract([page('/team', 'pages/team.vue', { roles: ['admin'] }, {
      alias: ['/crew'],
      children: [page('', 'pages/team/index.vue'), page(':id()', 'pages/team/[id].vue'), page('audit', 'pages/team/audit.vue', { roles: ['auditor'] })],
    })])
    expect(found.problems).toEqual([])
    expect(found.rules).toEqual([
      { pattern: '/team', require: { roles: ['admin'] }, page: 'pages/team.vue' },
      { pattern: '/crew', require: { roles: ['admin'] }, page: 'pages/team.vue' },
      { pattern: '/team/*', require: { roles: ['admin'] }, page: 'pages/team.vue' },
      { pattern: '/team/audit', require: { roles: ['auditor'] }, page: 'pages/team/audit.vue' },
    ])
  })

  it('an invalid requirement stops the build, naming the page and the field', () => {
    const found = extract([page('/x', 'pages/x.vue', { mfa: 'no' }), page('/y', 'pages/y.vue', { stepUp: { maxAgeSeconds: 1 } }), page('/z', 'pages/z.vue', true)])
    expect(found.problems).toEqual(expect.arrayContaining([
      expect.stringMatching(/^pages\/x\.vue: require\.mfa: /),
      expect.stringMatching(/^pages\/y\.vue: require\.stepUp\.maxAgeSeconds: /),
      expect.stringMatching(/^pages\/z\.vue: `guard` must be an object/),
    ]))
  })

  it('a guard Nuxt could not read statically stops the build (the server would not know it)', () => {
    const dynamic = page('/x', 'pages/x.vue', undefined, { meta: { __nuxt_dynamic_meta_key: new Set(['meta']) } })
    const source = '<script setup>\nconst waiver = { mfa: false }\ndefinePageMeta({ layout: "x", guard: waiver })\n</script>'
    expect(extract([dynamic], [], () => source).problems).toEqual([expect.stringMatching(/^pages\/x\.vue: definePageMeta's `guard` must be a literal object/)])
    // Other dynamic meta (no guard) is none of the guard's business.
    expect(extract([dynamic], [], () => '<script setup>\ndefinePageMeta({ layout: pick() })\n</script>').problems).toEqual([])
  })

  describe('a waiver covers exactly its page, never another page or a server route', () => {
    it('a dynamic page\'s waiver that would also cover a more specific sibling page stops the build', () => {
      const found = extract([...COMMON, page('/orders/:id()', 'pages/orders/[id].vue', { mfa: false }), page('/orders/export', 'pages/orders/export.vue')])
      expect(found.problems).toEqual([expect.stringContaining('pages/orders/[id].vue: the waiver (mfa: false) for /orders/* also covers /orders/export of pages/orders/export.vue')])
    })

    it('… unless that page carries the same guard', () => {
      const found = extract([...COMMON, page('/orders/:id()', 'pages/orders/[id].vue', { mfa: false }), page('/orders/export', 'pages/orders/export.vue', { mfa: false })])
      expect(found.problems).toEqual([])
    })

    it('a catch-all page\'s waiver would waive MFA for every page under it', () => {
      const found = extract([...COMMON, page('/:slug(.*)*', 'pages/[...slug].vue', { mfa: false })])
      expect(found.problems.join('\n')).toMatch(/covers \/ of pages\/index\.vue/)
      expect(found.problems.join('\n')).toMatch(/covers \/dashboard of pages\/dashboard\.vue/)
    })

    it('a waiver over a server route (an API beside a dynamic page) stops the build', () => {
      const found = extract([...COMMON, page('/reports/:id()', 'pages/reports/[id].vue', { mfa: false })], serverRoutesOf([
        { route: '/reports/export' }, { route: '/api/_guard/session' }, { route: '/reports/**', middleware: true },
      ]))
      expect(found.problems).toEqual([expect.stringContaining('also covers the server route /reports/export')])
    })

    it('a requirement may cover more (it only adds checks), and pages with no guard are never checked', () => {
      const found = extract([...COMMON, page('/orders/:id()', 'pages/orders/[id].vue', { roles: ['admin'] }), page('/orders/export', 'pages/orders/export.vue')], ['/orders/new'])
      expect(found.problems).toEqual([])
    })
  })

  it('serverRoutesOf leaves out middleware, the guard\'s own API and Nuxt\'s internal routes', () => {
    expect(serverRoutesOf([
      { route: '/api/secret' }, { route: '/api/secret' }, { route: '/api/_guard/verdict' }, { route: '/__nuxt_error' }, { route: '/_nuxt/**' }, { middleware: true }, { route: '/api/_guardian' },
    ])).toEqual(['/api/secret', '/api/_guardian'])
  })
})

describe('the server judges the page by its rule (compilePolicy with page rules)', () => {
  const WAIVER: PageRule = { pattern: '/supertokens-totp', require: { mfa: false }, page: 'pages/supertokens-totp.vue' }
  const STAFF: PageRule = { pattern: '/staff', require: { roles: ['admin'] }, page: 'pages/staff.vue' }
  const policyWith = (input: GuardConfigInput, pageRules: PageRule[]) => {
    const result = validateConfig(input)
    if (!result.ok) throw new Error('invalid test config')
    return compilePolicy(result.config, 1, pageRules)
  }
  const policy = policyWith({ mfa: { enforce: 'all' } }, [WAIVER, STAFF])

  it('the waiver lifts the global MFA requirement on that page only', () => {
    expect(outcome(judge(policy, '/supertokens-totp', claims()))).toEqual(ALLOWED_BY_RULES)
    expect(outcome(judge(policy, '/supertokens-totp/', claims({ mfa: enrolledOnly() })))).toEqual(ALLOWED_BY_RULES)
    expect(outcome(judge(policy, '/dashboard', claims()))).toEqual(NOT_ENROLLED)
    expect(outcome(judge(policy, '/supertokens-totp/../dashboard', claims()))).toEqual(NOT_ENROLLED)
    expect(outcome(judge(policy, '/supertokens-totp/x', claims()))).toEqual(NOT_ENROLLED)
  })

  it('never lets a signed-out visitor in', () => {
    expect(outcome(judge(policy, '/supertokens-totp', null))).toMatchObject({ allow: false, status: 401, error: 'unauthenticated' })
  })

  it('makes a public path protected (a page with a guard is a guarded page)', () => {
    const open = policyWith({ routes: { public: ['/', '/supertokens-totp'] }, mfa: { enforce: 'all' } }, [WAIVER])
    expect(open.classify(['/supertokens-totp'])).toMatchObject({ kind: 'protected' })
  })

  it('an operator\'s rule that demands MFA wins over the page\'s waiver', () => {
    const strict = policyWith({ mfa: { enforce: 'all' }, routes: { rules: [{ pattern: '/supertokens-totp', require: { mfa: true } }] } }, [WAIVER])
    expect(outcome(judge(strict, '/supertokens-totp', claims({ mfa: enrolledOnly() })))).toMatchObject({ allow: false, error: 'INVALID_CLAIMS' })
    expect(outcome(judge(strict, '/supertokens-totp', claims({ mfa: totpDone })))).toEqual(ALLOWED_BY_RULES)
  })

  it('a page requirement adds to the config: another role is refused, the right one still needs the global MFA', () => {
    expect(outcome(judge(policy, '/staff', claims({ mfa: totpDone })))).toMatchObject({ allow: false, status: 403, error: 'forbidden' })
    expect(outcome(judge(policy, '/staff', claims({ roles: ['admin'], mfa: enrolledOnly() })))).toMatchObject({ allow: false, error: 'INVALID_CLAIMS' })
    expect(outcome(judge(policy, '/staff', claims({ roles: ['admin'], mfa: totpDone })))).toEqual(ALLOWED_BY_RULES)
  })

  it('page rules come after the config\'s rules and are named in the simulator', () => {
    const withRules = policyWith({ mfa: { enforce: 'all' }, routes: { rules: [{ pattern: '/**', require: { roles: ['member', 'admin'] } }] } }, [WAIVER])
    expect(withRules.classify(['/supertokens-totp'])).toMatchObject({ rules: [{ index: 0, pattern: '/**' }, { index: 1, pattern: '/supertokens-totp', page: 'pages/supertokens-totp.vue' }] })
    const answer = simulateRequest(withRules, { method: 'GET', path: '/supertokens-totp', user: null }, { nowSeconds: 1_700_000_000 })
    expect(answer.matchedRules).toEqual([
      { index: 0, pattern: '/**', require: { roles: ['member', 'admin'] } },
      { index: 1, pattern: '/supertokens-totp', require: { mfa: false }, page: 'pages/supertokens-totp.vue' },
    ])
  })

  it('every compile without explicit page rules uses the registered ones (so a console save keeps them)', () => {
    expect(registeredPageRules()).toEqual([])
    registerPageRules([WAIVER])
    try {
      const result = validateConfig({ mfa: { enforce: 'all' } })
      if (!result.ok) throw new Error('invalid')
      const live = compilePolicy(result.config, 2)
      expect(live.pageRules).toEqual([WAIVER])
      expect(outcome(judge(live, '/supertokens-totp', claims()))).toEqual(ALLOWED_BY_RULES)
      expect(Object.isFrozen(registeredPageRules()[0])).toBe(true)
    }
    finally { registerPageRules([]) }
  })

  it('registering an invalid rule throws and keeps the previous ones', () => {
    expect(() => registerPageRules([{ pattern: '/users/:id', require: {}, page: 'pages/u.vue' }])).toThrow(/pages\/u\.vue: pattern/)
    expect(checkPageRules([{ pattern: '/x', require: { mfa: 1 as unknown as boolean }, page: 'pages/x.vue' }])).toEqual([{ path: 'pages/x.vue: require.mfa', message: expect.any(String) }])
    expect(registeredPageRules()).toEqual([])
  })
})
