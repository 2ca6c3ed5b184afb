/** The signed-in user's notes. Protected by the guard (default deny); `requireAuth` re-checks. */
export default defineEventHandler(async (event) => {
  const { userId } = await requireAuth(event)
  return (await useStorage('data').getItem<{ id: string; text: string }[]>(`notes:${userId}`)) ?? []
})
