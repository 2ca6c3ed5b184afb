import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

export default defineConfig({
  // The module's runtime alias (modules/guard/index.ts registers it for Nuxt and Nitro): tests
  // that import the server's handlers and utilities resolve their `#guard/…` imports the same way
  // (every project below `extends` this root config).
  resolve: { alias: { '#guard': fileURLToPath(new URL('./modules/guard/runtime', import.meta.url)) } },
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['tests/unit/**/*.test.ts'],
          environment: 'node',
          // PGlite starts in ~2 s alone, several times that while CI builds the fixtures beside it.
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['tests/e2e/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['tests/e2e/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 240_000,
          // Each file builds or boots a Nuxt server; two cores, so one file at a time.
          fileParallelism: false,
        },
      },
      {
        extends: true,
        test: {
          name: 'browser',
          include: ['tests/browser/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['tests/browser/global-setup.ts'],
          testTimeout: 90_000,
          hookTimeout: 240_000,
          // One Chromium and one server at a time on two cores.
          fileParallelism: false,
        },
      },
      {
        extends: true,
        test: {
          name: 'consumer',
          include: ['tests/consumer/**/*.test.ts'],
          environment: 'node',
          // npm pack, then two fresh apps in the OS temp directory installed from the tarball and built.
          globalSetup: ['tests/consumer/global-setup.ts'],
          testTimeout: 180_000,
          hookTimeout: 240_000,
          // One server (and one Chromium) at a time on two cores.
          fileParallelism: false,
        },
      },
    ],
  },
})
