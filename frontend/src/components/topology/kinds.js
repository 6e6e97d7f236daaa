// The kinds of connection, in the order the legend lists them, with the colour each is drawn in.
export const KINDS = [
  { value: 'HV', label: 'HV', colour: '#c2410c' },
  { value: 'LV', label: 'LV', colour: '#a16207' },
  { value: 'readout', label: 'Readout', colour: '#1d5fb4' },
  { value: 'network', label: 'Network', colour: '#15803d' },
  { value: 'trigger', label: 'Trigger', colour: '#7e22ce' },
]

export const KIND_VALUES = KINDS.map((k) => k.value)

// A kind the portal does not know (yet) is still drawn, in grey.
export const OTHER_COLOUR = '#6b7785'

export const colourOf = (kind) => KINDS.find((k) => k.value === kind)?.colour ?? OTHER_COLOUR

export const labelOf = (kind) => KINDS.find((k) => k.value === kind)?.label ?? kind
