import { z } from 'zod'
import { checkPattern } from '../routing/pattern'
import { checkClaimsTemplate } from '../claims/template'
import { ORG_PERMISSION_PATTERN, ORG_ROLE_PATTERN, checkOrgRoles, defaultOrgRoles } from '../organizations/roles'

/** Second factors nuxt-guard knows. */
export const FACTOR_IDS = ['totp', 'recovery_code', 'email_code', 'webauthn'] as const
export type FactorId = (typeof FACTOR_IDS)[number]

const factorId = z.enum(FACTOR_IDS)

/** A route pattern in Nitro route-rule glob syntax; refused with a suggestion otherwise. */
const routePattern = z.string().superRefine((value, ctx) => {
  const check = checkPattern(value)
  if (!check.ok) ctx.addIssue({ code: 'custom', message: check.message })
})

/** A same-origin exact path such as `/sign-in` (never `//host`, a full URL or a glob). */
const localPath = z.string().superRefine((value, ctx) => {
  const check = checkPattern(value)
  if (!check.ok) ctx.addIssue({ code: 'custom', message: check.message })
  else if (value.includes('*')) ctx.addIssue({ code: 'custom', message: 'must be one exact path on this site, such as /sign-in (no wildcards)' })
})

/** A role in a rule: an `org:` one (judged against the active organization) must be a valid organization role name. */
const ruleRole = z.string().min(1).superRefine((name, ctx) => {
  if (name.startsWith('org:') && !ORG_ROLE_PATTERN.test(name)) ctx.addIssue({ code: 'custom', message: 'organization roles are named org:<role> in lower case, such as org:admin' })
})
/** A permission in a rule: an `org:` one (judged against the active organization) must be named org:<feature>:<action>. */
const rulePermission = z.string().min(1).superRefine((name, ctx) => {
  if (name.startsWith('org:') && !ORG_PERMISSION_PATTERN.test(name)) ctx.addIssue({ code: 'custom', message: orgPermissionNameMessage(name) })
})
const orgRulePermission = z.string().superRefine((name, ctx) => {
  if (!ORG_PERMISSION_PATTERN.test(name)) ctx.addIssue({ code: 'custom', message: orgPermissionNameMessage(name) })
})

/** Why an organization permission name is refused, with the likely intended name (`org:sys_domains_manage` → `org:sys_domains:manage`). */
function orgPermissionNameMessage(name: string): string {
  const guess = /^org:[a-z0-9_-]+$/.test(name) && name.lastIndexOf('_') > 4 ? `${name.slice(0, name.lastIndexOf('_'))}:${name.slice(name.lastIndexOf('_') + 1)}` : undefined
  return `organization permissions are named org:<feature>:<action> in lower case${guess && ORG_PERMISSION_PATTERN.test(guess) ? `; did you mean ${guess}?` : ', such as org:invoices:read'}`
}

/**
 * A set of permissions a rule needs: a list or `{ allOf: [...] }` = every
 * one; `{ anyOf: [...] }` = at least one (Clerk's
 * `has({ permission: a }) || has({ permission: b })`).
 */
function permissionSet<T extends z.ZodType<string>>(name: T) {
  const list = z.array(name).min(1).max(100)
  return z.union([list, z.strictObject({ allOf: list }), z.strictObject({ anyOf: list })])
}

const requirement = z.strictObject({
  /** The user needs at least one of these roles (an `org:` role: the role in the active organization). */
  roles: z.array(ruleRole).min(1).optional(),
  /**
   * The user needs every one of these permissions (a list or `{ allOf }`), or at least one (`{ anyOf }`);
   * an `org:` permission is judged against the active organization's.
   */
  permissions: permissionSet(rulePermission).optional(),
  /** `true`: the session needs an active organization (else the page goes to `organizations.orgSelectionUrl`; API 403 `organization_required`). */
  organization: z.literal(true).optional(),
  /** The user's role in the active organization is one of these (`org:admin`, …); implies `organization`. */
  orgRoles: z.array(z.string().regex(ORG_ROLE_PATTERN, 'organization roles are named org:<role> in lower case, such as org:admin')).min(1).optional(),
  /** The active organization's permissions: every one (a list or `{ allOf }`) or at least one (`{ anyOf }`); implies `organization`. */
  orgPermissions: permissionSet(orgRulePermission).optional(),
  /** `true` demands a completed second factor; `false` waives the global MFA validators. */
  mfa: z.boolean().optional(),
  /** `true` demands a verified email address (`email_verified` in the session token). */
  emailVerified: z.literal(true).optional(),
  /** The last second factor must be at most this old. */
  stepUp: z.strictObject({ maxAgeSeconds: z.number().int().min(10).max(30 * 86_400) }).optional(),
})

const rule = z.strictObject({ pattern: routePattern, require: requirement })

const mfaRequirement = z.union([
  factorId,
  z.strictObject({ oneOf: z.array(factorId).min(1) }),
  z.strictObject({ allOfInAnyOrder: z.array(factorId).min(1) }),
])

const roleName = z.string().regex(/^[a-z0-9][a-z0-9_:-]*$/i, 'role names use letters, digits, _ : -')

/** Organization roles → permissions (Clerk's names): `org:<role>` → `org:<feature>:<action>`[]; see core/organizations/roles.ts. */
const orgRoles = z.record(
  z.string(),
  z.array(z.string().regex(ORG_PERMISSION_PATTERN, 'organization permissions are named org:<feature>:<action> in lower case, such as org:invoices:read')).max(100),
).superRefine((roles, ctx) => {
  if (Object.keys(roles).length > 50) ctx.addIssue({ code: 'custom', message: 'at most 50 organization roles' })
  for (const issue of checkOrgRoles(roles)) ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message })
})

/**
 * The live config document an operator edits. Every field has a default, so
 * `{}` parses to a complete, working config.
 */
export const guardConfigSchema = z.strictObject({
  version: z.number().int().nonnegative().optional(),
  signInUrl: localPath.default('/sign-in'),
  signUpUrl: localPath.default('/sign-up'),
  afterSignInUrl: localPath.default('/'),
  routes: z.strictObject({
    mode: z.enum(['protect-all', 'public-all']).default('protect-all'),
    public: z.array(routePattern).default(() => ['/', '/sign-in', '/sign-up']),
    ignored: z.array(routePattern).default(() => ['/_nuxt/**', '/favicon.ico', '/__nuxt_error']),
    api: z.array(routePattern).default(() => ['/api/**']),
    rules: z.array(rule).max(5_000).default(() => []),
  }).prefault({}),
  mfa: z.strictObject({
    enforce: z.enum(['off', 'all', 'rules']).default('off'),
    strategies: z.strictObject({
      totp: z.boolean().default(true),
      recovery_code: z.boolean().default(true),
      email_code: z.boolean().default(false),
      webauthn: z.boolean().default(true),
    }).prefault({}),
    requirements: z.array(mfaRequirement).default(() => [{ oneOf: ['totp' as const, 'webauthn' as const] }]),
    enrollUrl: localPath.default('/account/manage-mfa/add'),
    challengeUrl: localPath.default('/mfa-challenge'),
    mfaTokenTtlSeconds: z.number().int().min(30).max(3_600).default(300),
    rememberDeviceDays: z.number().int().min(0).max(365).default(30),
  }).prefault({}),
  account: z.strictObject({
    /**
     * `off`: no verification email; `optional` (default): sign-up sends a code, nothing requires it;
     * `required`: an unverified user is led to `verifyEmailUrl` (API: 403 `email_verification_required`).
     */
    emailVerification: z.enum(['off', 'optional', 'required']).default('optional'),
    verifyEmailUrl: localPath.default('/verify-email'),
    /** How long an admin's invitation link works, in hours. */
    invitationTtlHours: z.number().int().min(1).max(720).default(72),
    /**
     * Sign-up tells no one which addresses have accounts: every address gets the same answer and
     * nobody is signed in until the emailed code proves the address (a taken address's owner gets a
     * notice instead of a code). Needs `emailVerification` on and mail that leaves the server.
     */
    enumerationProtection: z.boolean().default(false),
    /** Refuse passwords found in known breaches (Have I Been Pwned range API, k-anonymity). Off by default: it calls out. */
    breachedPasswordCheck: z.boolean().default(false),
  }).prefault({}),
  organizations: z.strictObject({
    /** Organizations (Clerk's): off until an operator turns them on; off, every organization route answers 403 and tokens carry no organization. */
    enabled: z.boolean().default(false),
    /** Any signed-in user may create an organization; `false`: only users with the guard:admin permission. */
    usersCanCreate: z.boolean().default(true),
    /** Role → permissions; `org:admin` (the creator's role) and `org:member` are built in. */
    roles: orgRoles.default(() => defaultOrgRoles()),
    /** The page an invitation email links to (`?token=…`): it accepts the invitation for the signed-in user. */
    invitationUrl: localPath.default('/org-invitation'),
    /** The page where a user picks the active organization. */
    orgSelectionUrl: localPath.default('/org-selection'),
    /** How long an invitation link works, in hours. */
    invitationTtlHours: z.number().int().min(1).max(720).default(72),
  }).prefault({}),
  claims: z.strictObject({
    template: z.record(z.string(), z.unknown()).default(() => ({})),
  }).prefault({}),
  session: z.strictObject({
    tokenTtlSeconds: z.number().int().min(10).max(3_600).default(60),
    sessionTtlDays: z.number().int().min(1).max(365).default(7),
    clockSkewMs: z.number().int().min(0).max(60_000).default(5_000),
  }).prefault({}),
  roles: z.record(roleName, z.array(z.string().min(1))).default(() => ({ admin: ['guard:admin'], member: [] })),
}).superRefine((config, ctx) => {
  for (const issue of checkClaimsTemplate(config.claims.template, 'claims.template')) {
    ctx.addIssue({ code: 'custom', path: ['claims', 'template', ...issue.path.split('.').slice(2)], message: issue.message })
  }
  if (config.account.enumerationProtection && config.account.emailVerification === 'off') {
    ctx.addIssue({ code: 'custom', path: ['account', 'enumerationProtection'], message: 'needs emailVerification "optional" or "required": the emailed code is what signs a new account in' })
  }
})

/** A config document as an operator writes it: every field optional. */
export type GuardConfigInput = z.input<typeof guardConfigSchema>
/** A complete, validated config document. */
export type GuardConfig = z.output<typeof guardConfigSchema>
export type RouteRule = GuardConfig['routes']['rules'][number]
export type RouteRequirement = RouteRule['require']
export type MfaRequirement = GuardConfig['mfa']['requirements'][number]
