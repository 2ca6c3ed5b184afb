import { readdirSync } from 'node:fs'
import { join } from 'node:path'

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const
export type RouteMethod = (typeof METHODS)[number]

/**
 * The guard's API handlers, found by file name the way Nitro names its own
 * `server/api` routes: `admin/config/history.get.ts` → GET `admin/config/history`,
 * `admin/users/[id].delete.ts` → DELETE `admin/users/:id`.
 *
 * @example
 * guardApiRoutes('/abs/runtime/server/api/_guard') // [{ route: 'sign-in', method: 'post', file: '/abs/…/sign-in.post.ts' }, …]
 */
export function guardApiRoutes(directory: string): { route: string; method: RouteMethod; file: string }[] {
  const routes: { route: string; method: RouteMethod; file: string }[] = []
  for (const entry of readdirSync(directory, { recursive: true, withFileTypes: true })) {
    const match = entry.isFile() && /^(.+)\.(get|post|put|patch|delete)\.(?:ts|js|mjs)$/.exec(entry.name)
    if (!match) continue
    const folder = entry.parentPath.slice(directory.length).split(/[\\/]/).filter(Boolean)
    const route = [...folder, match[1]!].map(part => part.replace(/^\[(\w+)\]$/, ':$1')).join('/')
    routes.push({ route, method: match[2] as RouteMethod, file: join(entry.parentPath, entry.name) })
  }
  // Static segments before parameters, so `users/search` is never read as `users/:id`.
  return routes.sort((a, b) => Number(a.route.includes(':')) - Number(b.route.includes(':')) || a.route.localeCompare(b.route))
}
