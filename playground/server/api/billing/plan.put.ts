/** Switches the signed-in user's plan (demo data). Guarded by `/api/billing/**`. */
export default defineEventHandler(async (event) => {
  const { userId } = await requireAuth(event)
  const body = await readBody<{ plan?: unknown }>(event)
  if (body?.plan !== 'Starter' && body?.plan !== 'Team') {
    throw createError({ statusCode: 422, statusMessage: 'invalid_request', data: { error: 'invalid_request', error_description: 'plan: choose Starter or Team', field: 'plan' } })
  }
  await useStorage('data').setItem(`plan:${userId}`, body.plan)
  return { plan: body.plan }
})
