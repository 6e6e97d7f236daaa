import { ref } from 'vue'

/** copy(text) puts text on the clipboard; copied is true for a few seconds after. */
export function useClipboard({ resetAfter = 4000 } = {}) {
  const copied = ref(false)
  const failed = ref(false)
  let timer = null

  async function copy(text) {
    failed.value = false
    let ok = false
    try {
      if (navigator.clipboard?.writeText) {
        await navigator.clipboard.writeText(text)
        ok = true
      }
    } catch {
      ok = false
    }
    if (!ok) ok = copyWithSelection(text)
    copied.value = ok
    failed.value = !ok
    clearTimeout(timer)
    if (ok && resetAfter) timer = setTimeout(() => (copied.value = false), resetAfter)
    return ok
  }

  return { copy, copied, failed }
}

// Older browsers and plain-HTTP sites have no async clipboard.
function copyWithSelection(text) {
  if (typeof document === 'undefined' || typeof document.execCommand !== 'function') return false
  const area = document.createElement('textarea')
  area.value = text
  area.setAttribute('readonly', '')
  area.style.position = 'fixed'
  area.style.opacity = '0'
  document.body.appendChild(area)
  area.select()
  let ok = false
  try {
    ok = document.execCommand('copy')
  } catch {
    ok = false
  }
  area.remove()
  return ok
}
