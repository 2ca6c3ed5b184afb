// "Acme": a sample customer app. It extends the nuxt-guard console (the repo
// root) and protects its own pages and API. `npm run dev` runs it.
export default defineNuxtConfig({
  extends: ['..'],
  guard: {
    debug: process.env.NUXT_GUARD_DEBUG === 'true',
    config: {
      routes: {
        mode: 'protect-all',
        public: ['/', '/sign-in', '/sign-up', '/pricing'],
        ignored: ['/_nuxt/**', '/favicon.ico', '/__nuxt_error'],
        api: ['/api/**'],
        rules: [
          { pattern: '/admin/**', require: { roles: ['admin'] } },
          { pattern: '/api/reports/**', require: { permissions: ['reports:read'] } },
        ],
      },
      claims: { template: { email: '{{user.email}}', isMfa: '{{user.two_factor_enabled}}' } },
      roles: { admin: ['guard:admin', 'reports:read'], member: [] },
    },
  },
  compatibilityDate: '2026-11-01',
})
