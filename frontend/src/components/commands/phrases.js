// Commands in words: a button's label ("Set HV"), and the sentence a confirmation repeats ("Set channel 3 to
// 38.5 V on 2 devices: sipm-ecal01, sipm-ecal02"). The schema has no phrasing of its own, so the known SiPM
// commands get theirs here and any other command reads "Run <key> with <arguments>".
import { argumentsText } from './argumentValues.js'

const ACRONYMS = new Set(['hv', 'lv', 'adc', 'dac', 'id', 'fpga'])

/** "set-hv" -> "Set HV", "read-temp" -> "Read temp". */
export function commandLabel(command) {
  const words = command.name.split('-').map((w) => (ACRONYMS.has(w) ? w.toUpperCase() : w))
  const first = words[0] ?? ''
  return [first.charAt(0).toUpperCase() + first.slice(1), ...words.slice(1)].join(' ')
}

const PHRASES = {
  'sipm.status': () => 'Read the status of every channel',
  'sipm.set-hv': (a) => `Set channel ${a.channel} to ${a.volts} V`,
  'sipm.hv-on': (a) => `Switch channel ${a.channel} on (it ramps to its set voltage)`,
  'sipm.hv-off': (a) => `Ramp channel ${a.channel} down and switch it off`,
  'sipm.read-temp': () => 'Read the board temperature',
  'sipm.power-cycle': () => 'Power-cycle the board: every channel goes to 0 V',
}

const plural = (n, one, many) => `${n} ${n === 1 ? one : many}`

/** What will happen, in one sentence: "Set channel 3 to 38.5 V on 2 devices: sipm-ecal01, sipm-ecal02". */
export function describeRun(command, args, devices) {
  const phrase = PHRASES[command.key]
  const what = phrase
    ? phrase(args)
    : `Run ${command.key}${Object.keys(args).length ? ` with ${argumentsText(args, command)}` : ''}`
  const where = devices.length === 1 ? `on ${devices[0]}` : `on ${plural(devices.length, 'device', 'devices')}: ${devices.join(', ')}`
  return `${what} ${where}`
}
