// Which version of a range a lookup picks, and which one came before a version.

const newestFirst = (a, b) =>
  String(b.tsprod ?? '').localeCompare(String(a.tsprod ?? '')) || (b.versind ?? 0) - (a.versind ?? 0)

/**
 * The version a lookup picks in a range: the one the server marks as default (version.default or
 * range.default_versind) when it says so, else the newest one not deprecated.
 */
export function defaultVersion(range) {
  const versions = range?.versions ?? []
  const flagged = versions.find((v) => v.default === true)
  if (flagged) return flagged
  if (range?.default_versind) {
    const chosen = versions.find((v) => v.versind === range.default_versind)
    if (chosen) return chosen
  }
  return versions.filter((v) => !v.deprecated).sort(newestFirst)[0] ?? null
}

/**
 * The version before this one: the previous version (by versind) of its range, else the version a
 * lookup picks in the closest range of the same type that begins earlier. null when there is none.
 */
export function previousVersion(ranges, range, version) {
  const earlier = (range.versions ?? []).filter((v) => v.versind < version.versind)
  if (earlier.length) return earlier.reduce((a, b) => (b.versind > a.versind ? b : a))
  const before = ranges.filter((r) => r.begin_s < range.begin_s && r.versions?.length)
  if (before.length === 0) return null
  const closest = before.reduce((a, b) => (b.begin_s > a.begin_s ? b : a))
  return defaultVersion(closest) ?? closest.versions[closest.versions.length - 1]
}

/** The range that applies last: the latest begin, the open one at equal begin. */
export function latestRange(ranges) {
  if (!ranges?.length) return null
  return ranges.reduce((a, b) => {
    if (b.begin_s !== a.begin_s) return b.begin_s > a.begin_s ? b : a
    return b.end_s == null ? b : a
  })
}
