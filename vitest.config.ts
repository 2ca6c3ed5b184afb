import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    projects: [
      {
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
