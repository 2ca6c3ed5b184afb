// Acme's own links in the console's top bar (rendered by components/AppTopBar.vue).
export default defineAppConfig({
  guardBrand: 'Acme',
  guardNav: [
    { to: '/dashboard', label: 'Dashboard' },
    { to: '/notes', label: 'Notes' },
    { to: '/reports', label: 'Reports' },
    { to: '/billing', label: 'Billing' },
    { to: '/pricing', label: 'Pricing', when: 'always' },
  ],
})
