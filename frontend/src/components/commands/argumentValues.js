// A command's arguments in the form: the values as typed (text, from the defaults), checked against the schema the
// server sends ({name, type: int|float|str|bool|choice, minimum, maximum, unit, choices, default, required, help})
// before anything is sent, with the server's own sentences, and in words for the run lists and the confirmation.

const present = (value) => value !== null && value !== undefined

/** The form's starting values: the defaults, as text for the inputs (a bool stays true or false). */
export function initialValues(command) {
  const values = {}
  for (const arg of command?.args ?? []) {
    if (arg.type === 'bool') values[arg.name] = Boolean(arg.default)
    else if (arg.type === 'choice') values[arg.name] = present(arg.default) ? String(arg.default) : arg.choices?.[0] ?? ''
    else values[arg.name] = present(arg.default) ? String(arg.default) : ''
  }
  return values
}

/** "0 to 60 V", "at least 1", "at most 31", or '' for an argument without limits. */
export function rangeText(arg) {
  const unit = arg.unit ? ` ${arg.unit}` : ''
  if (present(arg.minimum) && present(arg.maximum)) return `${arg.minimum} to ${arg.maximum}${unit}`
  if (present(arg.minimum)) return `at least ${arg.minimum}${unit}`
  if (present(arg.maximum)) return `at most ${arg.maximum}${unit}`
  return ''
}

/** The label of an argument's field: "Volts (V)". */
export function argumentLabel(arg) {
  const words = arg.name.replace(/[_-]/g, ' ')
  return `${words.charAt(0).toUpperCase()}${words.slice(1)}${arg.unit ? ` (${arg.unit})` : ''}`
}

function number(arg, text) {
  const unit = arg.unit ? ` ${arg.unit}` : ''
  const value = Number(text)
  if (text === '' || !Number.isFinite(value)) return { error: `must be a ${arg.type === 'int' ? 'whole ' : ''}number, not “${text}”` }
  if (arg.type === 'int' && !Number.isInteger(value)) return { error: `must be a whole number, not ${text}` }
  if (present(arg.minimum) && value < arg.minimum) return { error: `must be at least ${arg.minimum}${unit} (it is ${value}${unit})` }
  if (present(arg.maximum) && value > arg.maximum) return { error: `must be at most ${arg.maximum}${unit} (it is ${value}${unit})` }
  return { value }
}

/**
 * The arguments to send, or the problems by argument name ({fields: {volts: 'must be at most 60 V (it is 75 V)'}})
 * as the server would say them. An empty optional argument is left out: the server fills its default.
 */
export function checkArguments(command, values) {
  const args = {}
  const fields = {}
  for (const arg of command?.args ?? []) {
    const raw = values[arg.name]
    const text = typeof raw === 'string' ? raw.trim() : raw
    if (arg.type === 'bool') {
      args[arg.name] = Boolean(raw)
      continue
    }
    if (text === '' || !present(text)) {
      if (arg.required) fields[arg.name] = 'is required'
      continue
    }
    if (arg.type === 'int' || arg.type === 'float') {
      const { value, error } = number(arg, String(text))
      if (error) fields[arg.name] = error
      else args[arg.name] = value
    } else if (arg.type === 'choice' && !arg.choices.map(String).includes(text)) {
      fields[arg.name] = `must be one of ${arg.choices.join(', ')}`
    } else {
      args[arg.name] = text
    }
  }
  return { args, fields }
}

/** Arguments in words, with units from the schema when known: "channel 3 · volts 38.5 V". */
export function argumentsText(args, command = null) {
  const schema = Object.fromEntries((command?.args ?? []).map((a) => [a.name, a]))
  return Object.entries(args ?? {})
    .map(([name, value]) => `${name} ${value}${schema[name]?.unit ? ` ${schema[name].unit}` : ''}`)
    .join(' · ')
}
