import { safeRedirectPath } from '../../core/policy/redirect'
import { defineNuxtRouteMiddleware, navigateTo, abortNavigation, createError, useNuxtApp } from '#imports'

/** The refusal when the server cannot be asked: 503, as the server itself answers while it is unavailable. */
const UNREACHABLE = { allow: false, status: 503, error: 'temporarily_unavailable', error_description: 'Could not reach the server to check access.', redirect: null } as const

/**
 * Client-side navigation asks the server how it would judge the target page
 * (the server middleware already judged the first load), so a rule saved in
 * the console applies to the very next navigation, without a reload.
 * A refusal either follows the server's redirect (sign-in, the verify-email
 * page, MFA enrollment or challenge, the organization selection page for a
 * rule that needs an active organization — each carrying the return path)
 * or shows the error page, whose
 * `data` names the refused page (`path`) and the reason (`error`).
 */
export default defineNuxtRouteMiddleware(async (to) => {
  // The server middleware judged the page that was loaded; only later navigations need asking.
  if (import.meta.server || useNuxtApp().isHydrating) return
  const verdict = await $fetch('/api/_guard/verdict', { query: { path: to.fullPath } }).catch(() => UNREACHABLE)
  if (verdict.allow) return
  // GET /verdict's refusals carry their status, error and redirect (its "allowed" answer none of them).
  const refusal = 'status' in verdict ? verdict : undefined
  if (refusal?.redirect) {
    const fallback = `/sign-in?redirect_url=${encodeURIComponent(to.fullPath)}`
    return navigateTo(safeRedirectPath(refusal.redirect, fallback))
  }
  return abortNavigation(createError({
    statusCode: refusal?.status ?? 403,
    statusMessage: refusal?.error ?? 'forbidden',
    message: refusal?.error_description,
    data: { error: refusal?.error ?? 'forbidden', path: to.fullPath, source: 'navigation' },
    fatal: true,
  }))
})
