import { useGroupRole } from './useGroupRole.js'

const article = (word) => (/^[aeiou]/.test(word) ? 'an' : 'a')

/**
 * Whether the signed-in person may run a command on a device, from their role in the device's group (the server
 * says the same and still decides). A device without a group (its type's group counts) is left to the server.
 *
 * const { reasonAgainst, youAre } = useCommandAccess()
 * reasonAgainst(command, 'padme-ecal') -> '' or "sipm.set-hv is for operators of padme-ecal and those above them;
 * you are a viewer there."
 * youAre('padme-ecal') -> "you are an operator there" or "you are not a member there"
 */
export function useCommandAccess() {
  const { roleIn, atLeast } = useGroupRole()

  function youAre(group) {
    const role = roleIn(group)
    return role ? `you are ${article(role)} ${role} there` : 'you are not a member there'
  }

  function reasonAgainst(command, group) {
    if (!group || atLeast(group, command.role)) return ''
    return `${command.key} is for ${command.role}s of ${group} and those above them; ${youAre(group)}.`
  }

  return { reasonAgainst, youAre }
}
