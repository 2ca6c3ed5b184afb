import { describe, expect, it } from 'vitest'
import { loadOptionalPeer } from '../../modules/guard/runtime/core/optional-peer'

describe('optional peer dependencies', () => {
  it('names the install command when the package is missing', async () => {
    const missing = () => import(/* @vite-ignore */ ['pg', 'not-installed-here'].join('-'))
    // A real "Cannot find package" for a package that is not installed, as Node reports it.
    const error = await missing().catch((caught: unknown) => caught) as { code?: string; message: string }
    expect(error.code).toBe('ERR_MODULE_NOT_FOUND')
    const asPg = () => Promise.reject(Object.assign(new Error(error.message.replace('pg-not-installed-here', 'pg')), { code: error.code }))
    await expect(loadOptionalPeer('pg', 'A PostgreSQL database', asPg)).rejects.toThrow(/needs the "pg" package.*npm i pg/)
  })

  it('passes other failures through unchanged', async () => {
    const broken = () => Promise.reject(Object.assign(new Error("Cannot find package 'left-pad'"), { code: 'ERR_MODULE_NOT_FOUND' }))
    await expect(loadOptionalPeer('pg', 'A PostgreSQL database', broken)).rejects.toThrow("Cannot find package 'left-pad'")
    await expect(loadOptionalPeer('nodemailer', 'SMTP', () => Promise.reject(new Error('boom')))).rejects.toThrow('boom')
  })

  it('returns the module when it loads', async () => {
    const { default: nodemailer } = await loadOptionalPeer('nodemailer', 'SMTP', () => import('nodemailer'))
    expect(typeof nodemailer.createTransport).toBe('function')
  })
})
