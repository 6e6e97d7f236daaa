import { computed } from 'vue'
import { listRolesAndScopes } from '@/api/roles.js'
import { useAsyncData } from './useAsyncData.js'

// The names fixed by the API contract; used when /api/roles cannot answer.
const KNOWN_ROLES = ['admin', 'expert', 'operator', 'member', 'viewer'].map((name) => ({ name, description: '' }))
const KNOWN_SCOPES = ['read', 'write', 'heartbeat', 'admin'].map((name) => ({ name, description: '' }))

/** Roles (per group: all but "admin") and token scopes, with descriptions. */
export function useRoles() {
  const { data, error, loading } = useAsyncData(listRolesAndScopes, { roles: [], scopes: [] })
  const roles = computed(() => (data.value.roles.length ? data.value.roles : KNOWN_ROLES))
  const groupRoles = computed(() => roles.value.filter((r) => r.name !== 'admin'))
  const scopes = computed(() => (data.value.scopes.length ? data.value.scopes : KNOWN_SCOPES))
  return { roles, groupRoles, scopes, error, loading }
}
