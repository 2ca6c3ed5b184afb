import { defineEventHandler, setResponseHeader } from 'h3'
import { useGuard } from '#guard/server/utils/guard-instance'

/** GET /api/_guard/jwks.json: the public keys that verify session tokens, for networkless checks elsewhere. */
export default defineEventHandler(async (event) => {
  const guard = await useGuard()
  setResponseHeader(event, 'cache-control', 'public, max-age=300')
  return guard.keys.keySet.jwks(guard.now())
})
