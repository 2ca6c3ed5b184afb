import { describe, expect, it } from 'vitest'
import { httpError, stubFetchPerTest } from '../support/store-fetch'
import { oneTimeCodeOf, useOutboxStore, type OutboxMessage } from '../../stores/outbox'
import { timeAgo } from '../../stores/support/time-text'

const message = (id: number, createdAt: string, to = 'ada@example.test'): OutboxMessage => ({
  id, to, createdAt, subject: `Your verification code: 00000${id}`, text: `Your verification code is 00000${id}. It expires in 10 minutes.`,
})

const fetchMock = stubFetchPerTest()

describe('useOutboxStore', () => {
  it('loads the messages from the admin outbox, newest first whatever order they arrive in', async () => {
    fetchMock.mockResolvedValueOnce({ messages: [
      message(1, '2026-11-23T06:00:00.000Z'),
      message(3, '2026-11-23T06:10:00.000Z'),
      message(2, '2026-11-23T06:10:00.000Z'),
    ] })
    const outbox = useOutboxStore()
    expect(await outbox.load()).toBe(true)
    expect(fetchMock).toHaveBeenCalledWith('/api/_guard/admin/outbox', { query: { limit: 50 } })
    expect(outbox.messages.map(m => m.id)).toEqual([3, 2, 1])
    expect(outbox.loaded).toBe(true)
    expect(outbox.loading).toBe(false)
    expect(outbox.canShowMore).toBe(false)
  })

  it('an empty outbox is loaded and empty, not an error', async () => {
    fetchMock.mockResolvedValueOnce({ messages: [] })
    const outbox = useOutboxStore()
    await outbox.load()
    expect(outbox.loaded).toBe(true)
    expect(outbox.messages).toEqual([])
    expect(outbox.problem).toBeNull()
  })

  it('says why loading failed and keeps the messages it already shows', async () => {
    fetchMock
      .mockResolvedValueOnce({ messages: [message(1, '2026-11-23T06:00:00.000Z')] })
      .mockRejectedValueOnce(httpError(403, { error: 'mfa_required', error_description: 'Complete MFA to use the admin console.' }))
      .mockRejectedValueOnce(new TypeError('fetch failed'))
    const outbox = useOutboxStore()
    await outbox.load()
    expect(await outbox.load()).toBe(false)
    expect(outbox.problem).toMatchObject({ status: 403, code: 'mfa_required', description: 'Complete MFA to use the admin console.' })
    expect(outbox.messages.map(m => m.id)).toEqual([1])
    await outbox.load()
    expect(outbox.problem?.description).toMatch(/Could not reach the server/)
    expect(outbox.loading).toBe(false)
  })

  it('never lets a slow answer to an older refresh overwrite a newer one', async () => {
    let answerOld!: (value: unknown) => void
    fetchMock
      .mockImplementationOnce(() => new Promise((resolve) => { answerOld = resolve }))
      .mockResolvedValueOnce({ messages: [message(2, '2026-11-23T06:05:00.000Z'), message(1, '2026-11-23T06:00:00.000Z')] })
    const outbox = useOutboxStore()
    const old = outbox.load()
    await outbox.load()
    answerOld({ messages: [message(1, '2026-11-23T06:00:00.000Z')] })
    expect(await old).toBe(false)
    expect(outbox.messages.map(m => m.id)).toEqual([2, 1])
    expect(outbox.loading).toBe(false)
  })

  it('a full page offers older messages, asking for more up to the server\'s maximum', async () => {
    const page = (n: number) => ({ messages: Array.from({ length: n }, (_, i) => message(n - i, new Date(Date.UTC(2026, 10, 23, 6, 0, n - i)).toISOString())) })
    fetchMock.mockResolvedValueOnce(page(50)).mockResolvedValueOnce(page(100)).mockResolvedValueOnce(page(130))
    const outbox = useOutboxStore()
    await outbox.load()
    expect(outbox.canShowMore).toBe(true)
    await outbox.showMore()
    expect(fetchMock).toHaveBeenLastCalledWith('/api/_guard/admin/outbox', { query: { limit: 100 } })
    await outbox.showMore()
    expect(fetchMock).toHaveBeenLastCalledWith('/api/_guard/admin/outbox', { query: { limit: 200 } })
    expect(outbox.messages).toHaveLength(130)
    expect(outbox.canShowMore).toBe(false)
    expect(await outbox.showMore()).toBe(false)
    expect(fetchMock).toHaveBeenCalledTimes(3)
  })
})

describe('reading an outbox message', () => {
  it('finds the one-time code in the text, not a date or a longer number', () => {
    expect(oneTimeCodeOf('Your verification code is 042117. It expires in 10 minutes.')).toBe('042117')
    expect(oneTimeCodeOf('Sent 2026-11-23; order 1234567890123; code: 98765432')).toBe('98765432')
    expect(oneTimeCodeOf('Welcome aboard!')).toBeNull()
  })

  it('says how long ago a message was sent', () => {
    const now = Date.parse('2026-11-23T07:00:00Z')
    expect(timeAgo('2026-11-23T06:59:30Z', now)).toBe('just now')
    expect(timeAgo('2026-11-23T06:55:00Z', now)).toBe('5 min ago')
    expect(timeAgo('2026-11-23T04:30:00Z', now)).toBe('2 h ago')
    expect(timeAgo('2026-11-20T07:00:00Z', now)).toBe('3 d ago')
  })
})
