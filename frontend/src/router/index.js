import { createRouter, createWebHistory } from 'vue-router'
import { useAuthStore } from '@/stores/auth.js'

// meta.public: reachable without signing in.
// meta.admin: needs the global admin role. meta.permission: needs that permission.
export const routes = [
  {
    path: '/login',
    name: 'login',
    component: () => import('@/views/LoginView.vue'),
    meta: { public: true, title: 'Sign in' },
  },
  {
    path: '/',
    name: 'dashboard',
    component: () => import('@/views/DashboardView.vue'),
    meta: { title: 'Dashboard' },
  },
  {
    path: '/devices',
    name: 'devices',
    component: () => import('@/views/DevicesView.vue'),
    meta: { title: 'Devices' },
  },
  {
    path: '/devices/:name',
    name: 'device',
    component: () => import('@/views/DeviceView.vue'),
    props: true,
    meta: { title: 'Device' },
  },
  {
    path: '/topology',
    name: 'topology',
    component: () => import('@/views/TopologyView.vue'),
    meta: { title: 'Topology' },
  },
  {
    path: '/device-types',
    name: 'device-types',
    component: () => import('@/views/DeviceTypesView.vue'),
    meta: { title: 'Device types' },
  },
  {
    path: '/configurations',
    name: 'configurations',
    component: () => import('@/views/ConfigurationsView.vue'),
    meta: { title: 'Configurations' },
  },
  {
    path: '/configurations/:kind(devices|types)/:name',
    name: 'config',
    component: () => import('@/views/ConfigView.vue'),
    props: true,
    meta: { title: 'Configuration' },
  },
  {
    path: '/configurations/import',
    name: 'config-import',
    component: () => import('@/views/ConfigImportView.vue'),
    meta: { title: 'Import configurations' },
  },
  {
    path: '/recipes',
    name: 'recipes',
    component: () => import('@/views/RecipesView.vue'),
    meta: { title: 'Run-mode recipes' },
  },
  {
    path: '/recipes/:name',
    name: 'recipe',
    component: () => import('@/views/RecipeView.vue'),
    props: true,
    meta: { title: 'Recipe' },
  },
  {
    path: '/config-sets',
    name: 'config-sets',
    component: () => import('@/views/ConfigSetsView.vue'),
    meta: { title: 'Configuration sets' },
  },
  {
    path: '/config-sets/:name',
    name: 'config-set',
    component: () => import('@/views/ConfigSetView.vue'),
    props: true,
    meta: { title: 'Configuration set' },
  },
  {
    path: '/calibrations',
    name: 'calibrations',
    component: () => import('@/views/CalibrationsView.vue'),
    meta: { title: 'Calibrations' },
  },
  {
    path: '/calibrations/compare',
    name: 'calib-compare',
    component: () => import('@/views/CalibCompareView.vue'),
    meta: { title: 'Compare constants' },
  },
  {
    path: '/calibrations/versions/:id(\\d+)',
    name: 'calib-version',
    component: () => import('@/views/CalibVersionView.vue'),
    props: true,
    meta: { title: 'Calibration version' },
  },
  {
    path: '/calibrations/sets',
    name: 'calib-sets',
    component: () => import('@/views/CalibSetsView.vue'),
    meta: { title: 'Calibration sets' },
  },
  {
    path: '/calibrations/sets/:name',
    name: 'calib-set',
    component: () => import('@/views/CalibSetView.vue'),
    props: true,
    meta: { title: 'Calibration set' },
  },
  {
    path: '/calibrations/:detname',
    name: 'calib-detector',
    component: () => import('@/views/CalibDetectorView.vue'),
    props: true,
    meta: { title: 'Detector constants' },
  },
  {
    path: '/runs',
    name: 'runs',
    component: () => import('@/views/RunsView.vue'),
    meta: { title: 'Runs' },
  },
  {
    path: '/runs/:experiment/:number(\\d+)',
    name: 'run',
    component: () => import('@/views/RunView.vue'),
    props: true,
    meta: { title: 'Run' },
  },
  {
    path: '/monitoring',
    name: 'monitoring',
    component: () => import('@/views/MonitoringView.vue'),
    meta: { title: 'Monitoring' },
  },
  {
    path: '/monitoring/devices/:name/:parameter',
    name: 'parameter',
    component: () => import('@/views/ParameterView.vue'),
    props: true,
    meta: { title: 'Parameter' },
  },
  {
    path: '/alerts',
    name: 'alerts',
    component: () => import('@/views/AlertsView.vue'),
    meta: { title: 'Alerts' },
  },
  {
    path: '/alerts/reactions',
    name: 'reactions',
    component: () => import('@/views/ReactionsView.vue'),
    meta: { title: 'Reactions' },
  },
  {
    path: '/alerts/:id(\\d+)',
    name: 'alert',
    component: () => import('@/views/AlertView.vue'),
    props: true,
    meta: { title: 'Alert' },
  },
  {
    path: '/commands',
    name: 'commands',
    component: () => import('@/views/CommandsView.vue'),
    meta: { title: 'Commands' },
  },
  {
    path: '/admin/users',
    name: 'users',
    component: () => import('@/views/UsersView.vue'),
    meta: { title: 'Users', admin: true },
  },
  {
    path: '/admin/groups',
    name: 'groups',
    component: () => import('@/views/GroupsView.vue'),
    meta: { title: 'Groups', admin: true },
  },
  {
    path: '/tokens',
    name: 'tokens',
    component: () => import('@/views/TokensView.vue'),
    meta: { title: 'API tokens' },
  },
  {
    path: '/audit',
    name: 'audit',
    component: () => import('@/views/AuditView.vue'),
    meta: { title: 'Audit log', permission: 'audit.read' },
  },
  {
    path: '/profile',
    name: 'profile',
    component: () => import('@/views/ProfileView.vue'),
    meta: { title: 'Profile' },
  },
  {
    path: '/:pathMatch(.*)*',
    name: 'not-found',
    component: () => import('@/views/NotFoundView.vue'),
    meta: { public: true, title: 'Page not found' },
  },
  {
    // Only reached by name from the guard, which keeps the address the person asked for.
    path: '/:pathMatch(.*)*',
    name: 'forbidden',
    component: () => import('@/views/ForbiddenView.vue'),
    meta: { title: 'Not allowed' },
  },
]

/** Whether the signed-in person may open a route with this meta. */
export function canAccess(meta, auth) {
  if (meta.public) return true
  if (!auth.isLoggedIn) return false
  if (meta.admin && !auth.isAdmin) return false
  if (meta.permission && !auth.hasPermission(meta.permission)) return false
  return true
}

/** What a route needs, in words, for the "Not allowed" page. */
export function requirementText(meta) {
  if (meta.admin) return 'the admin role'
  if (meta.permission === 'audit.read') return 'the expert or admin role (permission “audit.read”)'
  if (meta.permission) return `the permission “${meta.permission}”`
  return 'more rights than your account has'
}

/** A same-site path to go to after signing in; anything else becomes '/'. */
export function safeNext(next) {
  if (typeof next !== 'string' || !next.startsWith('/') || next.startsWith('//')) return '/'
  if (next === '/login' || next.startsWith('/login?')) return '/'
  return next
}

/** The session ended (expired, signed out elsewhere): sign in again, then come back here. */
export function sendToLogin(router) {
  const current = router.currentRoute.value
  if (current.name === 'login') return Promise.resolve()
  return router.replace({ name: 'login', query: current.matched.length ? { next: current.fullPath } : {} })
}

export function installGuards(router) {
  router.beforeEach(async (to) => {
    const auth = useAuthStore()
    await auth.ensureLoaded()

    if (to.name === 'login') {
      return auth.isLoggedIn ? safeNext(to.query.next) : true
    }
    if (to.meta.public) return true
    if (!auth.isLoggedIn) {
      return { name: 'login', query: { next: to.fullPath } }
    }
    if (!canAccess(to.meta, auth)) {
      return {
        name: 'forbidden',
        params: { pathMatch: to.path.slice(1).split('/') },
        query: to.query,
        hash: to.hash,
      }
    }
    return true
  })

  router.afterEach((to) => {
    if (typeof document !== 'undefined') {
      document.title = to.meta.title ? `${to.meta.title} · DCS portal` : 'DCS portal'
    }
  })
  return router
}

export function createAppRouter(history = createWebHistory()) {
  return installGuards(createRouter({ history, routes }))
}
