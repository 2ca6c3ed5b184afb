import { useHead, useRequestURL, useRuntimeConfig } from '#imports'

/**
 * The application's name as the built-in pages show it: `guard.appName` in
 * nuxt.config.ts (env `NUXT_PUBLIC_GUARD_APP_NAME`), else this site's host name.
 *
 * @example
 * const appName = useAppName() // 'Acme', or 'app.example.com' when none is set
 */
export function useAppName(): string {
  return useRuntimeConfig().public.guard?.appName?.trim() || useRequestURL().hostname
}

/**
 * Titles a built-in page `<page> · <app name>` and returns the name, for the page's heading.
 *
 * @example
 * const appName = useGuardTitle('Sign in') // <title>Sign in · Acme</title>
 */
export function useGuardTitle(title: string): string {
  const appName = useAppName()
  useHead({ title: `${title} · ${appName}` })
  return appName
}
