import { listExperiments } from '@/api/runs.js'
import { approveSet, changePins, getSet, listSets, proposeSet, rejectSet, reviseSet } from '@/api/sets.js'
import { defineSetKind } from './setKind.js'
import CalibPinCells from './CalibPinCells.vue'
import CalibPinChanges from './CalibPinChanges.vue'

// Calibration sets (see setKind.js): one version of each constant an experiment uses, pinned per
// detector, type and validity range.
export default defineSetKind({
  title: 'Calibration',
  id: 'calib',
  path: '/calibrations/sets',
  listCaption: 'Calibration sets',
  writePermission: 'calib.write',
  scope: { key: 'experiment', label: 'Experiment', options: listExperiments },
  list: listSets,
  get: getSet,
  changePins,
  revise: reviseSet,
  steps: {
    propose: { run: proposeSet }, // at once, without a question
    approve: {
      run: approveSet,
      ask: (name, set) =>
        `The constants of ${name} become the approved ones for ${set.experiment}; a set approved before is superseded.`,
    },
    reject: { run: rejectSet },
  },
  reviseLabel: 'Make a new draft',
  changesFirst: false,
  pins: {
    columns: ['Detector', 'Type', 'Validity', 'Version'],
    cells: CalibPinCells,
    changes: CalibPinChanges,
    removeLabel: (pin) => `for ${pin.detname} ${pin.ctype}, version id ${pin.version_id}`,
    removed: (pin) => `${pin.detname} ${pin.ctype} (version id ${pin.version_id})`,
    idLabel: 'Version',
    addHint: 'One or more, separated by commas or spaces. A pin replaces the one for the same detector, type and range.',
  },
})
