/**
 * The limits of public metadata (a user's, an organization's), shared by the
 * server's check and the console's editor: no imports, so the browser bundle
 * takes these two numbers and nothing else.
 */

/** Public metadata travels into session tokens through the claims template: kept small. UTF-8 bytes of its JSON. */
export const PUBLIC_METADATA_LIMIT_BYTES = 4_096
/** The longest key, in characters (the shortest is 1). */
export const PUBLIC_METADATA_KEY_MAX_LENGTH = 100
