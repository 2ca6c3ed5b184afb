import type { MailMessage } from '../mail/mailer'
import { maskEmail } from '../mfa/email-code/code'
import { EMAIL_VERIFICATION_TTL_SECONDS } from './codes'

const minutes = EMAIL_VERIFICATION_TTL_SECONDS / 60
const link = (pageUrl: string | undefined, param: 'code' | 'change_code', code: string) => (pageUrl ? `\n\nOr open ${pageUrl}${pageUrl.includes('?') ? '&' : '?'}${param}=${encodeURIComponent(code)}` : '')

/**
 * The email with the code that verifies the user's own address (sent at
 * sign-up and on "resend"). `pageUrl`: the absolute URL of the verify page.
 *
 * @example
 * verifyMessage('ada@example.com', 'K7Q2M-9XHTC', 'https://app.example.com/verify-email')
 */
export function verifyMessage(to: string, code: string, pageUrl?: string): MailMessage {
  return {
    to,
    subject: 'Verify your email address',
    text: `Your verification code is ${code}. It works once, for ${minutes} minutes.${link(pageUrl, 'code', code)}\n\nIf you did not create an account with this address, ignore this email.`,
  }
}

/**
 * The email to the NEW address of a change, with the code that makes the change
 * (the link carries it as `change_code`, apart from a verification `code`).
 *
 * @example
 * changeCodeMessage('ada@new.example', 'ada@example.com', 'K7Q2M-9XHTC', 'https://app.example.com/account/security')
 */
export function changeCodeMessage(to: string, from: string, code: string, pageUrl?: string): MailMessage {
  return {
    to,
    subject: 'Confirm your new email address',
    text: `You asked to change the email address of your account from ${from} to this address. Your confirmation code is ${code}. It works once, for ${minutes} minutes.${link(pageUrl, 'change_code', code)}\n\nUntil you enter it, nothing changes. If you did not ask for this, ignore this email.`,
  }
}

/**
 * The notice to the OLD address once a change took effect (the new address is masked).
 *
 * @example
 * changedNoticeMessage('ada@example.com', 'ada@new.example')
 */
export function changedNoticeMessage(to: string, newEmail: string): MailMessage {
  return {
    to,
    subject: 'Your email address was changed',
    text: `The email address of your account was just changed from ${to} to ${maskEmail(newEmail)}. Sign-in and account emails now go there.\n\nIf this was not you, reset your password at once and tell the site's administrator.`,
  }
}

/**
 * What the owner of an address gets when someone signs up with it again
 * (sign-up answers as for a new address, so only the mailbox learns it is taken).
 *
 * @example
 * takenNoticeMessage('ada@example.com', 'https://app.example.com/sign-in')
 */
export function takenNoticeMessage(to: string, signInUrl?: string): MailMessage {
  const where = signInUrl ? ` at ${signInUrl}` : ''
  return {
    to,
    subject: 'Someone tried to create an account with your address',
    text: `Someone just tried to create an account with ${to}, which already has one. If it was you, sign in${where} instead — or use "Forgot password?" there.\n\nIf it was not you, nothing changed and you can ignore this email.`,
  }
}
