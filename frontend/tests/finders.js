// Finding things in a mounted page the way a person does: by a button's text, a field's label,
// a region's heading. Shared by the view specs.

export function button(w, name) {
  return w.findAll('button').find((b) => b.text() === name)
}

export function field(w, labelText) {
  const label = w.findAll('label').find((l) => l.text() === labelText)
  return w.find(`#${label.attributes('for')}`)
}

// A part of the page by its heading, as a screen reader reaches it (a labelled region).
export function region(w, heading) {
  const h = w.findAll('h2').find((x) => x.text() === heading)
  return w.find(`[aria-labelledby="${h.attributes('id')}"]`)
}

// The query parameters of a request the fake server saw.
export const query = (request) => new URL(request.url, 'http://x').searchParams
