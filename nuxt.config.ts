// The nuxt-guard console: sign-in, sign-up, account pages and (soon) the admin
// console at /admin. Apps extend it (see playground/nuxt.config.ts).
import { fileURLToPath } from 'node:url'

export default defineNuxtConfig({
  // An absolute path, so apps that extend this layer load the same module.
  modules: [fileURLToPath(new URL('./modules/guard', import.meta.url)), '@pinia/nuxt'],
  css: [fileURLToPath(new URL('./assets/console.css', import.meta.url))],
  devtools: { enabled: false },
  telemetry: false,
  compatibilityDate: '2026-11-01',
  app: {
    head: { title: 'nuxt-guard', meta: [{ name: 'viewport', content: 'width=device-width, initial-scale=1' }] },
  },
})
