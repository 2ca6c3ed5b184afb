// This repository's own app: "Acme" (playground/), a sample customer app with the
// module loaded from source — what `npm run dev`, the browser journeys and the
// README's screenshots run. The module ships the sign-in, MFA, account and admin
// pages itself (the top-level pages/ and components/); Acme adds only its own.
import { fileURLToPath } from 'node:url'

const fixtureDirs = ['./tests', './bench'].map(dir => `${fileURLToPath(new URL(dir, import.meta.url))}/**/*`)

export default defineNuxtConfig({
  modules: [fileURLToPath(new URL('./modules/guard', import.meta.url))],
  srcDir: 'playground/',
  serverDir: 'playground/server',
  devtools: { enabled: false },
  telemetry: false,
  // Test and benchmark fixtures are apps of their own: keep them out of this app's type check.
  // The pages, components and stores the module ships live at the top level, outside srcDir: check them too.
  typescript: { tsConfig: { include: ['../pages/**/*', '../components/**/*', '../stores/**/*'], exclude: fixtureDirs } },
  nitro: { typescript: { tsConfig: { exclude: fixtureDirs } } },
  compatibilityDate: '2026-11-01',
  app: {
    head: { title: 'Acme', meta: [{ name: 'viewport', content: 'width=device-width, initial-scale=1' }] },
  },
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
})
