import {
  applyConfigSet,
  approveConfigSet,
  changeConfigPins,
  getConfigSet,
  listConfigSets,
  proposeConfigSet,
  rejectConfigSet,
  reviseConfigSet,
  withdrawConfigSet,
} from '@/api/configSets.js'
import { listGroups } from '@/api/groups.js'
import { defineSetKind } from '@/components/sets/setKind.js'
import ConfigPinCells from './ConfigPinCells.vue'
import ConfigPinChanges from './ConfigPinChanges.vue'

const count = (n) => `${n} ${n === 1 ? 'configuration' : 'configurations'}`

// Configuration sets (see components/sets/setKind.js): a "good" set of a group pins one
// configuration version per device or type default; operators apply an approved one.
export default defineSetKind({
  title: 'Configuration',
  id: 'config',
  path: '/config-sets',
  listCaption: 'Configuration sets, newest first',
  writePermission: 'configs.write',
  scope: { key: 'group', label: 'Group', options: listGroups },
  list: listConfigSets,
  get: getConfigSet,
  changePins: changeConfigPins,
  revise: reviseConfigSet,
  steps: {
    propose: {
      run: proposeConfigSet,
      ask: (name, set) =>
        `${name} goes to the experts of ${set.group} for approval; its pins cannot change while it is proposed.`,
    },
    withdraw: { run: withdrawConfigSet },
    approve: {
      run: approveConfigSet,
      ask: (name, set) =>
        `${name} becomes the approved configuration set of ${set.group}; the set approved before is superseded.`,
    },
    reject: { run: rejectConfigSet },
    apply: {
      run: applyConfigSet,
      ask: (name) => `Every version ${name} pins becomes the active one of its device or type, all or none.`,
      // Apply answers {activated, set}.
      setOf: (answer) => answer.set,
      done: (name, answer) => `Set ${name} applied: ${count(answer.activated.length)} activated.`,
    },
  },
  reviseLabel: 'Revise',
  changesFirst: true,
  pins: {
    columns: ['Configuration', 'Version', 'Comment', 'Author'],
    cells: ConfigPinCells,
    changes: ConfigPinChanges,
    removeLabel: (pin) => `of ${pin.owner}, version ${pin.number}`,
    removed: (pin) => `${pin.owner} (version ${pin.number})`,
    idLabel: 'Version id',
    addHint: 'Configuration version ids, separated by commas or spaces. A pin replaces the one of the same device or type.',
  },
})
