import { getRequestURL, type H3Event } from 'h3'
import { webauthnVerifier } from '../../core/mfa/webauthn/service'

/**
 * The origin WebAuthn ceremonies are bound to: the URL this server answers
 * on (never a body field, never X-Forwarded-Host).
 *
 * @example
 * const origin = webauthnOrigin(event) // 'https://app.example.com'
 */
export function webauthnOrigin(event: H3Event): string {
  return getRequestURL(event, { xForwardedHost: false }).origin
}

/**
 * The WebAuthn check the challenge endpoint plugs into `completeChallenge`.
 *
 * @example
 * await completeChallenge(guard.mfa, input, webauthnChallengeVerifier(event))
 */
export function webauthnChallengeVerifier(event: H3Event) {
  return webauthnVerifier(webauthnOrigin(event))
}
