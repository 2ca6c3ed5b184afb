import { expect } from 'vitest'
import type { CookieClient, RawResponse } from './http-client'

/** Where every console route lives. */
export const ADMIN = '/api/_guard/admin'

/** One console route with a body that would be accepted, so only the access check can refuse it. */
export interface AdminRoute { method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'; path: string; json?: unknown }

/** Every `/api/_guard/admin/*` route, with a plausible request each. */
export const ADMIN_ROUTES: AdminRoute[] = [
  { method: 'GET', path: `${ADMIN}/config` },
  { method: 'PUT', path: `${ADMIN}/config`, json: { version: 1, document: {} } },
  { method: 'POST', path: `${ADMIN}/config/validate`, json: { document: {} } },
  { method: 'GET', path: `${ADMIN}/config/history` },
  { method: 'GET', path: `${ADMIN}/config/versions/1` },
  { method: 'GET', path: `${ADMIN}/config/diff?from=1&to=1` },
  { method: 'POST', path: `${ADMIN}/config/rollback`, json: { version: 1, expectedVersion: 1 } },
  { method: 'GET', path: `${ADMIN}/config/export` },
  { method: 'POST', path: `${ADMIN}/config/import`, json: { version: 1, document: {} } },
  { method: 'GET', path: `${ADMIN}/meta` },
  { method: 'POST', path: `${ADMIN}/claims/preview`, json: { template: {}, userId: 'user_x' } },
  { method: 'POST', path: `${ADMIN}/simulate`, json: { method: 'GET', path: '/' } },
  { method: 'POST', path: `${ADMIN}/mfa/stranded`, json: { mfa: {} } },
  { method: 'GET', path: `${ADMIN}/users` },
  { method: 'PUT', path: `${ADMIN}/users/user_x/roles`, json: { roles: ['member'] } },
  { method: 'POST', path: `${ADMIN}/users/user_x/reset-mfa`, json: {} },
  { method: 'POST', path: `${ADMIN}/users/user_x/revoke-sessions`, json: {} },
  { method: 'PUT', path: `${ADMIN}/users/user_x/metadata`, json: { publicMetadata: {} } },
  { method: 'POST', path: `${ADMIN}/users`, json: { email: 'new@example.test', password: 'saffron glacier teapot 63' } },
  { method: 'POST', path: `${ADMIN}/users/user_x/disable`, json: { reason: 'x' } },
  { method: 'POST', path: `${ADMIN}/users/user_x/enable`, json: {} },
  { method: 'POST', path: `${ADMIN}/users/user_x/unlock`, json: {} },
  { method: 'GET', path: `${ADMIN}/invitations` },
  { method: 'POST', path: `${ADMIN}/invitations`, json: { email: 'new@example.test' } },
  { method: 'GET', path: `${ADMIN}/organizations` },
  { method: 'POST', path: `${ADMIN}/organizations`, json: { name: 'Acme', ownerEmail: 'owner@example.test' } },
  { method: 'GET', path: `${ADMIN}/organizations/org_x` },
  { method: 'PATCH', path: `${ADMIN}/organizations/org_x`, json: { name: 'Renamed' } },
  { method: 'DELETE', path: `${ADMIN}/organizations/org_x`, json: {} },
  { method: 'PUT', path: `${ADMIN}/organizations/org_x/metadata`, json: { publicMetadata: { plan: 'pro' } } },
  { method: 'POST', path: `${ADMIN}/organizations/org_x/members`, json: { email: 'new@example.test' } },
  { method: 'PUT', path: `${ADMIN}/organizations/org_x/members/member_x`, json: { role: 'org:member' } },
  { method: 'DELETE', path: `${ADMIN}/organizations/org_x/members/member_x`, json: {} },
  { method: 'POST', path: `${ADMIN}/organizations/org_x/invitations`, json: { email: 'new@example.test' } },
  { method: 'DELETE', path: `${ADMIN}/organizations/org_x/invitations/orginv_x`, json: {} },
  { method: 'GET', path: `${ADMIN}/audit` },
  { method: 'GET', path: `${ADMIN}/outbox` },
]

/** The routes that change state (need a same-origin JSON request). */
export const UNSAFE_ADMIN_ROUTES = ADMIN_ROUTES.filter(route => route.method !== 'GET')

/** Sends one admin route's request with `client`. */
export function callRoute(client: CookieClient, route: AdminRoute, headers: Record<string, string> = {}): Promise<RawResponse> {
  return client.send(route.path, { method: route.method, json: route.json, headers })
}

/** Asserts a guard error status and code and returns the body. */
export function expectError(response: RawResponse, status: number, error: string): any {
  expect({ status: response.status, error: safeJson(response)?.error }, response.body).toEqual({ status, error })
  const body = response.json()
  expect(body.error_description, 'every refusal says what to do').toEqual(expect.any(String))
  return body
}

/** The JSON body of an OK response, failing with the body when it is not 200. */
export function okJson<T = any>(response: RawResponse): T {
  expect(response.status, response.body).toBe(200)
  return response.json<T>()
}

function safeJson(response: RawResponse): any {
  try { return response.json() }
  catch { return undefined }
}
