import { getRequestHeader, setResponseHeader, type H3Event } from 'h3'
import { GuardError } from './errors'

/** The largest body the guard's API reads, UTF-8 bytes: sign-in, MFA and account requests are a few hundred. */
export const GUARD_BODY_LIMIT_BYTES = 64 * 1024
/** The largest body an admin sends (a config document with its rules, an import), read only after the admin is checked. */
export const ADMIN_BODY_LIMIT_BYTES = 2 * 1024 * 1024

/**
 * Reads the request body into memory only up to `limitBytes`, so that no
 * request — signed in or not — can make the server buffer and parse
 * megabytes: a `Content-Length` over the limit is refused before a byte is
 * read, a streamed (chunked) body as soon as it passes the limit. The body
 * read is left where h3's `readBody` finds it. The refusal closes the
 * connection (the rest of the body is not read).
 *
 * @throws GuardError 413 `payload_too_large`
 * @example
 * await readBodyWithin(event, GUARD_BODY_LIMIT_BYTES)
 * const body = await readBody(event)
 */
export async function readBodyWithin(event: H3Event, limitBytes: number): Promise<void> {
  if (event._requestBody !== undefined) return
  const declared = Number(getRequestHeader(event, 'content-length') ?? 0)
  if (declared > limitBytes) throw tooLarge(event, limitBytes)
  const request = event.node.req
  const body = await new Promise<Buffer<ArrayBuffer>>((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    const onData = (chunk: Buffer) => {
      size += chunk.length
      if (size <= limitBytes) return void chunks.push(chunk)
      request.off('data', onData).off('end', onEnd)
      request.resume() // discard the rest while the refusal is sent
      reject(tooLarge(event, limitBytes))
    }
    const onEnd = () => resolve(Buffer.concat(chunks))
    request.on('data', onData).on('end', onEnd).once('error', reject)
  })
  // The Buffer itself, never a string: h3 takes an empty string for "not read yet" and would wait for a stream that has ended.
  event._requestBody = body
}

function tooLarge(event: H3Event, limitBytes: number): GuardError<'payload_too_large'> {
  setResponseHeader(event, 'connection', 'close')
  return new GuardError('payload_too_large', `The request body is over ${Math.round(limitBytes / 1024)} KiB, the most this endpoint reads; send only the fields it takes.`, { limitBytes })
}
