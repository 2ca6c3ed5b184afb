import { existsSync, mkdirSync, readdirSync, rmSync, statSync, symlinkSync } from 'node:fs'
import { join } from 'node:path'
import {
  APP_A, APP_B, CONSUMER_ROOT, PACK_DIR, REPO_ROOT, isBuilt, readTimings, runOk, seconds, writeConsumerApp, writeTimings, type Timings,
} from '../support/consumer-app'

const log = (line: string): void => console.info(`[consumer] ${line}`)

/**
 * What a stranger does, once per run: `npm pack` this repository, create two
 * fresh Nuxt apps in the OS temp directory (never inside this repository, so
 * node resolution cannot find its node_modules), install the tarball with npm
 * and build both with `nuxi build`.
 *
 * - App A: `modules: ['nuxt-guard']` and a small `guard.config`.
 * - App B: `skipServerMiddleware: true` and the README's server/middleware/guard.ts.
 *
 * B shares A's installed node_modules (a symlink): a second `npm install` of the
 * same dependencies costs as long as the first (about 90 s on this two-core
 * machine with the npm cache warm) and proves nothing more. Both apps build
 * from the tarball's files in app-a/node_modules/nuxt-guard.
 *
 * `GUARD_CONSUMER_REUSE=1` keeps existing builds (fast iteration on the tests).
 */
export default async function buildConsumers(): Promise<void> {
  if (process.env.GUARD_CONSUMER_REUSE === '1' && isBuilt(APP_A) && isBuilt(APP_B)) {
    log(`GUARD_CONSUMER_REUSE=1: reusing the builds in ${CONSUMER_ROOT}`)
    printTimings(readTimings())
    return
  }
  const timings: Timings = {}
  rmSync(CONSUMER_ROOT, { recursive: true, force: true })
  mkdirSync(PACK_DIR, { recursive: true })

  // 1. npm pack (its prepack builds dist/ with nuxt-module-build).
  log(`npm pack of ${REPO_ROOT} …`)
  timings.packMs = (await runOk('npm', ['pack', '--pack-destination', PACK_DIR], REPO_ROOT)).ms
  const tarball = readdirSync(PACK_DIR).filter(name => name.endsWith('.tgz')).map(name => join(PACK_DIR, name))[0]
  if (!tarball) throw new Error(`npm pack wrote no tarball into ${PACK_DIR}`)
  const listing = (await runOk('tar', ['-tzf', tarball], PACK_DIR)).output.split('\n').filter(line => line && !line.endsWith('/'))
  timings.tarball = tarball
  timings.tarballFiles = listing.length
  timings.tarballBytes = statSync(tarball).size
  log(`packed ${tarball}: ${listing.length} files, ${(statSync(tarball).size / 1024).toFixed(1)} kB, in ${seconds(timings.packMs)}`)

  // 2. Two fresh apps that depend on the tarball.
  writeConsumerApp(APP_A, 'a', tarball)
  writeConsumerApp(APP_B, 'b', tarball)

  // 3. npm install in A; B uses A's node_modules.
  log('npm install in app A …')
  timings.installMs = (await runOk('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline'], APP_A)).ms
  if (!existsSync(join(APP_A, 'node_modules/nuxt-guard/dist/module.mjs'))) throw new Error('npm install did not install nuxt-guard/dist/module.mjs from the tarball')
  symlinkSync(join(APP_A, 'node_modules'), join(APP_B, 'node_modules'), 'dir')
  log(`installed in ${seconds(timings.installMs)} (app B links app A's node_modules)`)

  // 4. nuxi build, one app at a time (two cores).
  for (const [name, dir] of [['A', APP_A], ['B', APP_B]] as const) {
    log(`npx nuxi build in app ${name} …`)
    const ms = (await runOk('npx', ['nuxi', 'build'], dir)).ms
    timings[`build${name}Ms`] = ms
    if (!isBuilt(dir)) throw new Error(`nuxi build in ${dir} produced no .output/server/index.mjs`)
    log(`built app ${name} in ${seconds(ms)}`)
  }
  writeTimings(timings)
  printTimings(timings)
}

function printTimings(timings: Timings): void {
  const ms = (key: string) => (typeof timings[key] === 'number' ? seconds(timings[key] as number) : '?')
  log(`tarball: ${timings.tarballFiles ?? '?'} files, ${typeof timings.tarballBytes === 'number' ? `${(timings.tarballBytes / 1024).toFixed(1)} kB` : '?'}`)
  log(`pack ${ms('packMs')} · install ${ms('installMs')} · build A ${ms('buildAMs')} · build B ${ms('buildBMs')}`)
}
