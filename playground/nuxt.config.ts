// "Acme": a sample customer app. It extends the nuxt-guard console (the repo
// root) and protects its own pages and API. `npm run dev` runs it.
export default defineNuxtConfig({
  extends: ['..'],
  guard: {
    debug: process.env.NUXT_GUARD_DEBUG === 'true',
    config: {
      afterSignInUrl: '/dashboard',
      routes: {
        mode: 'protect-all',
        public: ['/', '/sign-in', '/sign-up', '/pricing'],
        ignored: ['/_nuxt/**', '/favicon.ico', '/__nuxt_error'],
        api: ['/api/**'],
        rules: [
          { pattern: '/admin/**', require: { roles: ['admin'], mfa: true } },
          { pattern: '/reports/**', require: { permissions: ['reports:read'] } },
          { pattern: '/api/reports/**', require: { permissions: ['reports:read'] } },
          { pattern: '/billing/**', require: { mfa: true, stepUp: { maxAgeSeconds: 60 } } },
          { pattern: '/api/billing/**', require: { mfa: true, stepUp: { maxAgeSeconds: 60 } } },
        ],
      },
      // Everyone sets up a second factor after signing up; /admin and /billing demand it too.
      mfa: { enforce: 'all', requirements: [{ oneOf: ['totp', 'webauthn', 'email_code'] }] },
      claims: { template: { email: '{{user.email}}', isMfa: '{{user.two_factor_enabled}}' } },
      roles: { admin: ['guard:admin', 'reports:read'], member: [] },
    },
  },
  compatibilityDate: '2026-11-01',
})
