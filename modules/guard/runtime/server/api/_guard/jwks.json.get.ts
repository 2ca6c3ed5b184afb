import { defineEventHandler } from 'h3'
import { useGuard } from '../../utils/guard-instance'

/** GET /api/_guard/jwks.json: the public keys that verify session tokens, for networkless checks elsewhere. */
export default defineEventHandler(async (event) => {
  const guard = await useGuard()
  event.node.res.setHeader('cache-control', 'public, max-age=300')
  return guard.keys.keySet.jwks(guard.now())
})
