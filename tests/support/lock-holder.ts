import { spawn, type ChildProcess } from 'node:child_process'
import { resolve } from 'node:path'

const LOCK_MODULE = resolve(__dirname, '../../modules/guard/runtime/core/store/db/data-dir-lock.ts')

/**
 * Starts a separate node process that takes the data-directory lock of
 * `dataDir` (through the real module, loaded by jiti) and holds it until
 * killed; resolves once it holds the lock, with the child and its pid.
 *
 * @example
 * const holder = await spawnLockHolder(dir)
 * holder.child.kill('SIGKILL') // leaves a stale lock behind
 */
export async function spawnLockHolder(dataDir: string): Promise<{ child: ChildProcess; pid: number }> {
  const script = `
    const { createJiti } = require('jiti')
    createJiti(process.cwd() + '/').import(${JSON.stringify(LOCK_MODULE)})
      .then(({ acquireDataDirLock }) => acquireDataDirLock(${JSON.stringify(dataDir)}))
      .then(() => { console.log('locked'); setInterval(() => {}, 60_000) }, (error) => { console.error(error); process.exit(1) })`
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'pipe'] })
  await new Promise<void>((done, fail) => {
    let output = ''
    child.stdout!.on('data', (chunk) => { output += chunk; if (output.includes('locked')) done() })
    child.stderr!.on('data', (chunk) => { output += chunk })
    child.once('exit', code => fail(new Error(`the lock holder exited (${code}) before locking:\n${output}`)))
  })
  return { child, pid: child.pid! }
}

/** Kills `child` and waits until it is gone. */
export async function killAndWait(child: ChildProcess, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise(resolve => child.once('exit', resolve))
  child.kill(signal)
  await exited
}

/** The pid of a process that has already exited (so, on this host, a dead pid). */
export async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' })
  await new Promise(resolve => child.once('exit', resolve))
  return child.pid!
}
