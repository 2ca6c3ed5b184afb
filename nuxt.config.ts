// The nuxt-guard console: sign-in, sign-up, account pages and (soon) the admin
// console at /admin. Apps extend it (see playground/nuxt.config.ts).
import { fileURLToPath } from 'node:url'

const fixtureDirs = ['./tests/fixtures', './bench/fixture'].map(dir => `${fileURLToPath(new URL(dir, import.meta.url))}/**/*`)

export default defineNuxtConfig({
  // An absolute path, so apps that extend this layer load the same module.
  modules: [fileURLToPath(new URL('./modules/guard', import.meta.url)), '@pinia/nuxt'],
  css: [fileURLToPath(new URL('./assets/console.css', import.meta.url))],
  devtools: { enabled: false },
  // Test and benchmark fixtures are apps of their own: keep them out of this layer's type check.
  typescript: { tsConfig: { exclude: fixtureDirs } },
  nitro: { typescript: { tsConfig: { exclude: fixtureDirs } } },
  telemetry: false,
  compatibilityDate: '2026-11-01',
  app: {
    head: { title: 'nuxt-guard', meta: [{ name: 'viewport', content: 'width=device-width, initial-scale=1' }] },
  },
})
