import { useAuthStore } from '@/stores/auth.js'

// Group roles from the lowest; admins may everything everywhere (the server's rule, dcs.auth).
const RANK = { viewer: 0, member: 1, operator: 2, expert: 3 }

/**
 * The signed-in person's role in a group, for showing the buttons the server would allow when an
 * answer carries no "can" of its own. The server still decides.
 *
 * const { atLeast, groupsWhere } = useGroupRole()
 * atLeast('padme-ecal', 'operator'); groupsWhere('expert') -> ['padme-ecal']
 */
export function useGroupRole() {
  const auth = useAuthStore()
  const memberships = () => auth.user?.memberships ?? []

  function roleIn(group) {
    if (auth.isAdmin) return 'admin'
    return memberships().find((m) => m.group === group)?.role ?? null
  }

  function atLeast(group, wanted) {
    const role = roleIn(group)
    return role === 'admin' || (role in RANK && RANK[role] >= RANK[wanted])
  }

  /** The groups where the person is at least `wanted` (admins: every group they belong to). */
  const groupsWhere = (wanted) =>
    memberships()
      .filter((m) => auth.isAdmin || RANK[m.role] >= RANK[wanted])
      .map((m) => m.group)

  return { roleIn, atLeast, groupsWhere }
}
