import { computed, ref } from 'vue'
import { defineStore } from 'pinia'
import * as authApi from '@/api/auth.js'

// Who is signed in, what they may do, and the CSRF token for writes.
export const useAuthStore = defineStore('auth', () => {
  const user = ref(null)
  const csrfToken = ref('')
  const permissions = ref([])
  const loaded = ref(false)
  const loadError = ref('')
  let loading = null

  const isLoggedIn = computed(() => user.value !== null)
  const isAdmin = computed(() => Boolean(user.value?.is_admin))
  const role = computed(() => (user.value ? (user.value.is_admin ? 'admin' : user.value.role) : null))
  const displayName = computed(() => user.value?.display_name || user.value?.username || '')

  function hasPermission(permission) {
    if (!user.value) return false
    return isAdmin.value || permissions.value.includes(permission)
  }

  function apply(data) {
    user.value = data.user ?? null
    csrfToken.value = data.csrf_token ?? ''
    permissions.value = Array.isArray(data.permissions) ? data.permissions : []
  }

  function clear() {
    user.value = null
    csrfToken.value = ''
    permissions.value = []
  }

  /** Ask the server who we are. A 401 means nobody is signed in (not an error). */
  async function load() {
    loadError.value = ''
    try {
      apply(await authApi.me())
    } catch (error) {
      clear()
      if (error.status !== 401) loadError.value = error.message
    }
    loaded.value = true
    return user.value
  }

  /** Load once; later calls wait for the same answer. A failed load (not 401) is retried. */
  function ensureLoaded() {
    if (loaded.value && !loadError.value) return Promise.resolve(user.value)
    if (!loading) {
      loading = load().finally(() => {
        loading = null
      })
    }
    return loading
  }

  /** Sign in; throws the server's ApiError (wrong password, disabled, too many attempts). */
  async function login(username, password) {
    const data = await authApi.login(username, password)
    apply(data)
    loaded.value = true
    loadError.value = ''
    // The login answer carries no permission list; /me does.
    try {
      apply(await authApi.me())
    } catch {
      // Keep the login answer: permissions stay empty until the next load.
    }
    return user.value
  }

  async function logout() {
    try {
      await authApi.logout()
    } finally {
      clear()
      loaded.value = true
    }
  }

  function setUser(next) {
    user.value = next
  }

  return {
    user,
    csrfToken,
    permissions,
    loaded,
    loadError,
    isLoggedIn,
    isAdmin,
    role,
    displayName,
    hasPermission,
    load,
    ensureLoaded,
    login,
    logout,
    clear,
    setUser,
  }
})
