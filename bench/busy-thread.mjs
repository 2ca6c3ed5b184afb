// Preloaded into the hashing case's server (node --import): the control for
// "new-token requests during 20 sign-ins". On SIGUSR2 it starts, or stops, one
// thread that does nothing but scrypt with the parameters passwords are
// hashed with, at the hashing thread's priority (below normal on Linux, as
// modules/guard/runtime/core/crypto/password.ts sets it): the CPU that twenty
// sign-ins take, without a single request, statement or token of theirs on
// the event loop. Inactive (a signal handler only) until signalled.
import { Worker } from 'node:worker_threads'

const SOURCE = `
const { parentPort } = require('node:worker_threads')
const { scryptSync, randomBytes } = require('node:crypto')
const os = require('node:os')
if (process.platform === 'linux') { try { os.setPriority(os.constants.priority.PRIORITY_BELOW_NORMAL) } catch {} }
let running = true
parentPort.on('message', () => { running = false })
function hash() {
  if (!running) return process.exit(0)
  scryptSync('correct horse battery', randomBytes(16), 32, { N: 2 ** 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 })
  setImmediate(hash) // lets the stop message in between two hashes
}
hash()
`

let worker
process.on('SIGUSR2', () => {
  if (worker) {
    worker.postMessage('stop')
    worker = undefined
  }
  else {
    worker = new Worker(SOURCE, { eval: true })
    worker.unref()
  }
})
