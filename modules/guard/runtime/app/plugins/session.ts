import { defineNuxtPlugin } from '#imports'
import { useAuth } from '../composables/useAuth'

/**
 * Reads the session once per page load, before any page renders: on the
 * server from the request the guard middleware already judged, in the
 * browser from the server's payload. Apps need nothing in `app.vue`.
 */
export default defineNuxtPlugin({
  name: 'nuxt-guard:session',
  async setup() {
    await useAuth().load()
  },
})
