/** Acme's sales summary. Guarded by the `/api/reports/**` rule; `requireAuth` re-checks the permission. */
export default defineEventHandler(async (event) => {
  await requireAuth(event, { permissions: ['reports:read'] })
  return {
    period: 'Last 4 weeks',
    rows: [
      { week: 'W44', signups: 128, revenue: 18_420 },
      { week: 'W45', signups: 141, revenue: 19_960 },
      { week: 'W46', signups: 117, revenue: 17_310 },
      { week: 'W47', signups: 163, revenue: 22_840 },
    ],
  }
})
