/**
 * At most `limit` tasks at once; the rest wait in arrival order (FIFO, so a
 * burst cannot starve an earlier caller). A task that throws frees its slot.
 *
 * @example
 * const hashes = new Semaphore(2)
 * const key = await hashes.run(() => deriveKey(password)) // waits while 2 others run
 */
export class Semaphore {
  private active = 0
  private readonly waiting: (() => void)[] = []

  /** @param limit tasks allowed to run at once, at least 1 (a smaller value is raised to 1). */
  constructor(readonly limit: number) {
    this.limit = Math.max(1, Math.floor(limit) || 1)
  }

  /** Tasks running now. */
  get running(): number { return this.active }

  /** Tasks waiting for a slot. */
  get queued(): number { return this.waiting.length }

  /** Runs `task` once a slot is free; resolves or rejects with what the task does. */
  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>(resolve => this.waiting.push(resolve))
    else this.active++
    try {
      return await task()
    }
    finally {
      // Hand the slot straight to the next waiter (active stays the same), else free it.
      const next = this.waiting.shift()
      if (next) next()
      else this.active--
    }
  }
}
