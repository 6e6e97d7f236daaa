// The limits editor's form: from a parameter to text fields and back to the body the server takes
// (an empty limit is null: no limit), with a sentence for each field that is not a number.

export const NUMBER_FIELDS = [
  { key: 'nominal', label: 'Nominal', nullable: true },
  { key: 'alarm_low', label: 'Alarm low', nullable: true },
  { key: 'warn_low', label: 'Warn low', nullable: true },
  { key: 'warn_high', label: 'Warn high', nullable: true },
  { key: 'alarm_high', label: 'Alarm high', nullable: true },
  { key: 'deadband', label: 'Deadband', hint: 'How far back inside a limit a value must come to count as normal.' },
  { key: 'delay_s', label: 'Delay (s)', hint: 'How long a value must stay bad before an alert.' },
  { key: 'n_bad', label: 'N bad', whole: true, hint: 'Alert when N of the last M samples are bad…' },
  { key: 'm_window', label: 'of M samples', whole: true, hint: '…M being this window (1 to 100).' },
]

const text = (v) => (v === null || v === undefined ? '' : String(v))

export function formOf(p = {}) {
  const form = {
    unit: p.unit ?? '',
    alarm_severity: p.alarm_severity ?? 'alarm',
    latching: p.latching ?? true,
    guidance: p.guidance ?? '',
  }
  for (const f of NUMBER_FIELDS) form[f.key] = text(p[f.key] ?? (f.nullable ? null : { deadband: 0, delay_s: 0, n_bad: 1, m_window: 1 }[f.key]))
  return form
}

/** The body for PUT .../parameters/<name>, or null after marking the fields that are not numbers. */
export function bodyOf(form, errors) {
  const body = {
    unit: form.unit.trim(),
    alarm_severity: form.alarm_severity,
    latching: Boolean(form.latching),
    guidance: form.guidance,
  }
  let ok = true
  for (const f of NUMBER_FIELDS) {
    const raw = String(form[f.key] ?? '').trim()
    if (raw === '') {
      if (f.nullable) body[f.key] = null
      else {
        errors.setField(f.key, 'Give a number.')
        ok = false
      }
      continue
    }
    const value = Number(raw)
    if (!Number.isFinite(value) || (f.whole && !Number.isInteger(value))) {
      errors.setField(f.key, f.whole ? 'Give a whole number.' : 'Give a number, e.g. 12.5 or 1e-3.')
      ok = false
      continue
    }
    body[f.key] = value
  }
  return ok ? body : null
}
