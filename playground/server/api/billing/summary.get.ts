/** The signed-in user's plan and invoices. Guarded by `/api/billing/**` (a fresh second factor). */
export default defineEventHandler(async (event) => {
  const { userId } = await requireAuth(event)
  const plan = (await useStorage('data').getItem<string>(`plan:${userId}`)) ?? 'Starter'
  return {
    plan,
    card: 'Visa ending 4242',
    invoices: [
      { id: 'INV-1042', date: '2026-11-01', amount: plan === 'Team' ? 49 : 0 },
      { id: 'INV-0987', date: '2026-10-01', amount: plan === 'Team' ? 49 : 0 },
    ],
  }
})
