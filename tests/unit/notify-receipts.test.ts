/**
 * The bookkeeping behind cross-instance delivery receipts: sealed payloads
 * open to what was sent, a receipt settles when every listener confirmed (in
 * any order, even before the sender knew the list), and a listener that let
 * one receipt time out is not waited for again until it answers.
 */
import { describe, expect, it } from 'vitest'
import { NotifyReceipts, openPayload, sealPayload } from '../../modules/guard/runtime/core/store/db/notify-receipts'

const RECEIPT = '0f3a9c1b2d4e5f60'

describe('sealPayload / openPayload', () => {
  it('round-trips payloads with spaces, and leaves unsealed ones alone', () => {
    expect(openPayload(sealPayload(RECEIPT, 'user_1 4'))).toEqual({ receipt: RECEIPT, payload: 'user_1 4' })
    expect(openPayload(sealPayload(RECEIPT, ''))).toEqual({ receipt: RECEIPT, payload: '' })
    expect(openPayload('user_1 4')).toEqual({ payload: 'user_1 4' })
    expect(openPayload('#nothex0000000000 12')).toEqual({ payload: '#nothex0000000000 12' })
  })
})

describe('NotifyReceipts', () => {
  it('settles at once when every listener confirmed before the list was known', async () => {
    const receipts = new NotifyReceipts()
    receipts.open(RECEIPT)
    receipts.confirm(`${RECEIPT} 11`)
    receipts.confirm(`${RECEIPT} 12`)
    const started = performance.now()
    expect(await receipts.settle(RECEIPT, [11, 12], 1_000)).toEqual([])
    expect(performance.now() - started).toBeLessThan(50)
  })

  it('waits for the last confirmation, then resolves', async () => {
    const receipts = new NotifyReceipts()
    receipts.open(RECEIPT)
    setTimeout(() => receipts.confirm(`${RECEIPT} 12`), 60)
    receipts.confirm(`${RECEIPT} 11`)
    const started = performance.now()
    expect(await receipts.settle(RECEIPT, [11, 12], 1_000)).toEqual([])
    const waited = performance.now() - started
    expect(waited).toBeGreaterThanOrEqual(50)
    expect(waited).toBeLessThan(500)
  })

  it('ignores confirmations of other receipts and malformed ones; a silent pid times out once and is then skipped until it answers', async () => {
    const receipts = new NotifyReceipts()
    receipts.open(RECEIPT)
    receipts.confirm(`ffffffffffffffff 12`)
    receipts.confirm(`${RECEIPT} twelve`)
    receipts.confirm(`${RECEIPT} -12`)
    expect(await receipts.settle(RECEIPT, [12], 50)).toEqual([12])

    receipts.open('1111111111111111')
    const started = performance.now()
    expect(await receipts.settle('1111111111111111', [12], 1_000)).toEqual([])
    expect(performance.now() - started).toBeLessThan(50)

    receipts.confirm('ffffffffffffffff 12') // it answered something: waited for again
    receipts.open('2222222222222222')
    expect(await receipts.settle('2222222222222222', [12], 50)).toEqual([12])
  })
})
