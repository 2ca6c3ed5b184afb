import { defineNitroPlugin } from 'nitropack/runtime'
import { judgeUpgrade, type UpgradeRequest } from '../utils/judge-upgrade'

type UpgradeHook = (request: UpgradeRequest) => unknown

/**
 * Puts the guard in front of every WebSocket upgrade (registered when the app
 * enables `nitro.experimental.websocket`): crossws calls this global hook
 * before the route's own `upgrade` hook, and a refusal ends the request
 * before any `101`.
 */
export default defineNitroPlugin((nitroApp) => {
  const options = nitroApp.h3App.options as { websocket?: { hooks?: { upgrade?: UpgradeHook } } }
  const appUpgrade = options.websocket?.hooks?.upgrade
  options.websocket = {
    ...options.websocket,
    hooks: {
      ...options.websocket?.hooks,
      async upgrade(request: UpgradeRequest) {
        await judgeUpgrade(request)
        return appUpgrade?.(request)
      },
    },
  }
})
