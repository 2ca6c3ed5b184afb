import { useRuntimeConfig } from '#imports'

/**
 * The admin console's address (`guard.console.path` in nuxt.config.ts,
 * `/admin` by default), for links into it; `''` when the console is off.
 *
 * @example
 * const consolePath = useConsolePath()
 * navigateTo(`${consolePath}/simulator`) // '/admin/simulator'
 */
export function useConsolePath(): string {
  return useRuntimeConfig().public.guard?.consolePath ?? '/admin'
}
