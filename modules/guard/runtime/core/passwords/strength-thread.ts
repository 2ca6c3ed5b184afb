import { createRequire } from 'node:module'
import { Worker } from 'node:worker_threads'
import { STRENGTH_OPTIONS, STRENGTH_PACKAGES, type StrengthEstimate } from './estimator'

/**
 * The estimator thread's code: lowers its own priority (per thread on Linux,
 * as the password hashing threads do), loads zxcvbn and its dictionaries from
 * the paths it is given, then answers `{ id, password, userInputs }` with
 * `{ id, estimate }` or `{ id, error }`.
 */
const THREAD_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads')
const os = require('node:os')
if (process.platform === 'linux') {
  try { os.setPriority(os.constants.priority.PRIORITY_BELOW_NORMAL) } catch {}
}
const { ZxcvbnFactory } = require(workerData.paths.core)
const common = require(workerData.paths.common)
const en = require(workerData.paths.en)
const zxcvbn = new ZxcvbnFactory({ ...workerData.options, translations: en.translations, graphs: common.adjacencyGraphs, dictionary: { ...common.dictionary, ...en.dictionary } })
parentPort.on('message', ({ id, password, userInputs }) => {
  try {
    const result = zxcvbn.check(password, userInputs)
    parentPort.postMessage({ id, estimate: { score: result.score, guessesLog10: result.guessesLog10, warning: result.feedback.warning, suggestions: result.feedback.suggestions } })
  }
  catch (error) {
    parentPort.postMessage({ id, error: error instanceof Error ? error.message : String(error) })
  }
})
`

interface Pending { resolve: (estimate: StrengthEstimate) => void; reject: (error: Error) => void }

/**
 * One worker thread that estimates password strength, started on the first
 * estimate and kept (unreferenced: it never keeps the process alive) for the
 * next; estimates queue in its message order. Its dictionaries (~40 MB) live
 * on that thread's heap, and an estimate's CPU (milliseconds, at most tens)
 * never blocks the event loop. A thread that fails rejects what it had
 * pending and is replaced at the next estimate.
 *
 * @example
 * const thread = new StrengthThread()
 * const { score } = await thread.estimate('iloveyou12', ['ada@example.com'])
 */
export class StrengthThread {
  private worker?: Worker
  private readonly pending = new Map<number, Pending>()
  private nextId = 0
  /** Whether any thread ever answered: it can load zxcvbn here. */
  answered = false

  /** Whether a thread is running. */
  get started(): boolean { return this.worker !== undefined }

  /** Estimates on the thread (starting it first); rejects when the thread cannot start, load zxcvbn or stops. */
  estimate(password: string, userInputs: readonly string[]): Promise<StrengthEstimate> {
    const worker = this.worker ?? this.start()
    const id = ++this.nextId
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject })
      worker.ref()
      worker.postMessage({ id, password, userInputs: [...userInputs] })
    })
  }

  /** Stops the thread (tests; the next estimate starts another). */
  async stop(): Promise<void> {
    await this.worker?.terminate()
  }

  private start(): Worker {
    const resolve = createRequire(import.meta.url).resolve
    const paths = { core: resolve(STRENGTH_PACKAGES.core), common: resolve(STRENGTH_PACKAGES.common), en: resolve(STRENGTH_PACKAGES.en) }
    const worker = new Worker(THREAD_SOURCE, { eval: true, workerData: { paths, options: STRENGTH_OPTIONS } })
    worker.unref()
    worker.on('message', ({ id, estimate, error }: { id: number; estimate?: StrengthEstimate; error?: string }) => {
      const waiting = this.pending.get(id)
      this.pending.delete(id)
      if (this.pending.size === 0) worker.unref()
      if (estimate) this.answered = true
      if (estimate) waiting?.resolve(estimate)
      else waiting?.reject(new Error(error ?? 'the password strength thread gave no estimate'))
    })
    const fail = (error: Error) => {
      if (this.worker !== worker) return
      this.worker = undefined
      for (const waiting of this.pending.values()) waiting.reject(error)
      this.pending.clear()
    }
    worker.on('error', fail)
    worker.on('exit', code => fail(new Error(`the password strength thread stopped (exit code ${code})`)))
    this.worker = worker
    return worker
  }
}
