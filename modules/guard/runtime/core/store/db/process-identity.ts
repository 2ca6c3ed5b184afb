import { readFileSync } from 'node:fs'

/**
 * Tells a running process from a dead one, and a pid's current owner from
 * an earlier process that had the same pid (containers restart as pid 1).
 */

/**
 * A string that names one process for its lifetime on this machine: the
 * kernel boot id plus the process start time (Linux `/proc`); `undefined`
 * where `/proc` is unavailable.
 *
 * @example
 * processStartOf(process.pid) // '27b22a3e-…:66433'
 */
export function processStartOf(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // Field 22 (starttime, clock ticks since boot); fields are counted after the ")" that ends the command name.
    const startTicks = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]
    const bootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim()
    return startTicks ? `${bootId}:${startTicks}` : undefined
  }
  catch {
    return undefined
  }
}

/**
 * Whether `pid` on this host is still the process that recorded
 * `processStart` (when it recorded one): a signal-0 probe (EPERM counts as
 * alive), then the start-time check that catches a reused pid.
 *
 * @example
 * if (!isProcessAlive(holder.pid, holder.processStart)) takeOver()
 */
export function isProcessAlive(pid: number, processStart?: string): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false
  try { process.kill(pid, 0) }
  catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false
  }
  if (!processStart) return true
  const current = processStartOf(pid)
  return current === undefined || current === processStart
}
