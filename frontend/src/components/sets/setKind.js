import { markRaw } from 'vue'

// Calibration sets and configuration sets go through the same approval workflow, and their pages
// (SetList, SetPage and the parts they hold) are the same but for what a kind of set says here:
//
//   title        'Calibration': "Calibration sets", "All calibration sets", "Calibration set x".
//   id           a prefix of the element ids on its pages ('calib', 'config').
//   path         the address of its list; a set is at path/<name> (link(name) below).
//   listCaption  the caption of the table of sets.
//   writePermission  the permission that makes new sets.
//   scope        what a set belongs to: {key: 'experiment', label: 'Experiment', options: () => [{name}]}.
//   list(query), get(name), changePins(name, {add, remove}), revise(name, newName): its requests.
//   steps        the workflow steps it has (see SetActions): {propose: {run, ask?}, ...}.
//   reviseLabel  the text of the button that makes a new draft from a set.
//   changesFirst its set page and diff show what changed before the pins and before what was added.
//   pins         how a pin is shown:
//                  columns      the headings of its cells;
//                  cells        a component drawing the cells of one pin (prop `pin`);
//                  changes      a component drawing the table of changed pins (prop `changed`);
//                  removeLabel(pin)  what the Remove button adds for screen readers ("of x, version 2");
//                  removed(pin)      the pin in the sentence after its removal ("x (version 2)");
//                  idLabel      what the sentence after adding calls an id ("Version", "Version id");
//                  addHint      the hint of the field that adds pins by id.
export function defineSetKind(kind) {
  const pins = { ...kind.pins, cells: markRaw(kind.pins.cells), changes: markRaw(kind.pins.changes) }
  return { ...kind, pins, link: (name) => `${kind.path}/${encodeURIComponent(name)}` }
}
