import { describe, expect, it } from 'vitest'
import { readCookie } from '../../modules/guard/runtime/server/utils/cookies'

describe('readCookie: one cookie without parsing the header', () => {
  it('finds a cookie anywhere in the header', () => {
    expect(readCookie('guard_session=abc', 'guard_session')).toBe('abc')
    expect(readCookie('theme=dark; guard_session=abc; lang=en', 'guard_session')).toBe('abc')
    expect(readCookie('theme=dark;guard_session=abc', 'guard_session')).toBe('abc')
  })

  it('is not fooled by a name that merely ends or starts with it', () => {
    expect(readCookie('xguard_session=evil; guard_session=good', 'guard_session')).toBe('good')
    expect(readCookie('guard_session_old=evil; guard_session=good', 'guard_session')).toBe('good')
    expect(readCookie('theme=guard_session=evil', 'guard_session')).toBeUndefined()
    expect(readCookie('xguard_session=evil', 'guard_session')).toBeUndefined()
  })

  it('takes the first occurrence, keeps "=" inside values and decodes escapes', () => {
    expect(readCookie('guard_session=first; guard_session=second', 'guard_session')).toBe('first')
    expect(readCookie('guard_session=a=b=', 'guard_session')).toBe('a=b=')
    expect(readCookie('guard_session=a%20b', 'guard_session')).toBe('a b')
    expect(readCookie('guard_session=%zz', 'guard_session')).toBeUndefined()
  })

  it('answers undefined when the cookie is absent or empty-named', () => {
    expect(readCookie('', 'guard_session')).toBeUndefined()
    expect(readCookie('other=1', 'guard_session')).toBeUndefined()
    expect(readCookie('guard_session', 'guard_session')).toBeUndefined()
  })
})
