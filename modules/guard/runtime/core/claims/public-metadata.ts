import { z } from 'zod'
import { PUBLIC_METADATA_KEY_MAX_LENGTH, PUBLIC_METADATA_LIMIT_BYTES } from './metadata-limits'

export { PUBLIC_METADATA_LIMIT_BYTES }

/**
 * Public metadata of a user or an organization (Clerk's `publicMetadata`):
 * a JSON object with keys of 1 to {@link PUBLIC_METADATA_KEY_MAX_LENGTH} characters, at most
 * {@link PUBLIC_METADATA_LIMIT_BYTES} bytes of JSON. Templates read it as
 * `{{user.public_metadata.*}}` and `{{org.public_metadata.*}}`.
 *
 * @example
 * publicMetadataSchema.parse({ plan: 'enterprise', seats: 40 })
 */
export const publicMetadataSchema = z.record(z.string().min(1).max(PUBLIC_METADATA_KEY_MAX_LENGTH), z.unknown())
  .refine(metadata => new TextEncoder().encode(JSON.stringify(metadata)).length <= PUBLIC_METADATA_LIMIT_BYTES, `keep public metadata under ${PUBLIC_METADATA_LIMIT_BYTES} bytes of JSON`)

/** The body that replaces public metadata: `{ publicMetadata }`. */
export const publicMetadataBody = z.object({ publicMetadata: publicMetadataSchema })
