import type { PublicMetadata } from '../admin-users'
import type { ApiProblem } from './api'
import { parseJsonText, type JsonSyntaxError } from './json-errors'
import { PUBLIC_METADATA_KEY_MAX_LENGTH as KEY_MAX_LENGTH, PUBLIC_METADATA_LIMIT_BYTES } from '#guard/core/claims/metadata-limits'

/**
 * Public metadata as the console edits it (a user's, an organization's):
 * the one check every editor runs before it sends (the text is JSON, an
 * object, keys of 1–100 characters, at most 4096 bytes of JSON, as the
 * server's metadata routes require), and what the metadata dialog needs to
 * know about whose metadata it edits.
 */

export { PUBLIC_METADATA_LIMIT_BYTES }

/** The checked object, or where the JSON breaks, or why the value cannot be public metadata. */
export type PublicMetadataCheck =
  | { ok: true; value: PublicMetadata; syntaxError?: undefined; reason?: undefined }
  | { ok: false; syntaxError: JsonSyntaxError; reason?: undefined }
  | { ok: false; reason: string; syntaxError?: undefined }

/**
 * Checks the editor's text as public metadata.
 *
 * @example
 * checkPublicMetadata('{"plan": "pro"}') // → { ok: true, value: { plan: 'pro' } }
 * checkPublicMetadata('[1]') // → { ok: false, reason: 'Public metadata must be a JSON object …, not an array.' }
 */
export function checkPublicMetadata(text: string): PublicMetadataCheck {
  const result = parseJsonText(text)
  if (!result.ok) return { ok: false, syntaxError: result.error }
  const value = result.value
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return { ok: false, reason: `Public metadata must be a JSON object such as {"plan": "pro"}, not ${Array.isArray(value) ? 'an array' : value === null ? 'null' : `a ${typeof value}`}.` }
  }
  const badKey = Object.keys(value).find(key => key.length < 1 || key.length > KEY_MAX_LENGTH)
  if (badKey !== undefined) {
    return { ok: false, reason: badKey ? `The key "${badKey.slice(0, 24)}…" has ${badKey.length} characters; keep keys to ${KEY_MAX_LENGTH}.` : `A key is empty; name every key (1 to ${KEY_MAX_LENGTH} characters).` }
  }
  const bytes = new TextEncoder().encode(JSON.stringify(value)).length
  if (bytes > PUBLIC_METADATA_LIMIT_BYTES) {
    return { ok: false, reason: `This is ${bytes} bytes of JSON; keep public metadata under ${PUBLIC_METADATA_LIMIT_BYTES} bytes (it travels in session tokens).` }
  }
  return { ok: true, value: value as PublicMetadata }
}

/** Whose public metadata the dialog edits, where it starts, and how it is saved. */
export interface MetadataSubject {
  /** Whose it is, in the title: an email, an organization's name. */
  name: string
  /** What it belongs to: claims templates read it as `{{user.public_metadata.*}}` or `{{org.public_metadata.*}}`. */
  kind: 'user' | 'organization'
  /** The value to start from; undefined when the console does not know it (it starts from `{}`). */
  current: PublicMetadata | undefined
  /** Whether a request for this subject is running. */
  busy: () => boolean
  /** Sends the checked object: the notice to show once saved, or the server's refusal. */
  save: (metadata: PublicMetadata) => Promise<{ ok: true; notice: string } | { ok: false; problem: ApiProblem }>
}
