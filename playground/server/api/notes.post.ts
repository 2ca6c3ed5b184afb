/** Adds a note for the signed-in user. */
export default defineEventHandler(async (event) => {
  const { userId } = await requireAuth(event)
  const body = await readBody<{ text?: unknown }>(event)
  const text = typeof body?.text === 'string' ? body.text.trim() : ''
  if (!text || text.length > 500) {
    throw createError({ statusCode: 422, statusMessage: 'invalid_request', data: { error: 'invalid_request', error_description: 'text: write 1 to 500 characters', field: 'text' } })
  }
  const key = `notes:${userId}`
  const notes = (await useStorage('data').getItem<{ id: string; text: string }[]>(key)) ?? []
  notes.push({ id: crypto.randomUUID(), text })
  await useStorage('data').setItem(key, notes)
  return notes
})
