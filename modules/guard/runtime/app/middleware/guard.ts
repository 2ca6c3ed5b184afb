import { safeRedirectPath } from '../../core/policy/redirect'
import { defineNuxtRouteMiddleware, navigateTo, abortNavigation, createError, useNuxtApp } from '#imports'

interface NavigationVerdict {
  allow: boolean
  status?: number
  error?: string
  error_description?: string
  redirect?: string | null
}

/**
 * Client-side navigation asks the server how it would judge the target page
 * (the server middleware already judged the first load), so a rule saved in
 * the console applies to the very next navigation, without a reload.
 * A refusal either follows the server's redirect (sign-in, MFA enrollment or
 * challenge, each carrying the return path) or shows the error page, whose
 * `data` names the refused page (`path`) and the reason (`error`).
 */
export default defineNuxtRouteMiddleware(async (to) => {
  // The server middleware judged the page that was loaded; only later navigations need asking.
  if (import.meta.server || useNuxtApp().isHydrating) return
  const verdict = await $fetch<NavigationVerdict>('/api/_guard/verdict', { query: { path: to.fullPath } })
    .catch(() => ({ allow: false, status: 503, error: 'temporarily_unavailable', error_description: 'Could not reach the server to check access.' }) as NavigationVerdict)
  if (verdict.allow) return
  if (verdict.redirect) {
    const fallback = `/sign-in?redirect_url=${encodeURIComponent(to.fullPath)}`
    return navigateTo(safeRedirectPath(verdict.redirect, fallback))
  }
  return abortNavigation(createError({
    statusCode: verdict.status ?? 403,
    statusMessage: verdict.error ?? 'forbidden',
    message: verdict.error_description,
    data: { error: verdict.error ?? 'forbidden', path: to.fullPath, source: 'navigation' },
    fatal: true,
  }))
})
