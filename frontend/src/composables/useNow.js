import { getCurrentScope, onScopeDispose, ref } from 'vue'

/**
 * The time now (ms), ticking every `interval` ms while the component lives: for "12 s ago" texts.
 * offset(serverIso) keeps it in step with the server's clock (a time the server just said was now).
 */
export function useNow({ interval = 1000 } = {}) {
  let skew = 0
  const now = ref(Date.now())
  const timer = setInterval(() => (now.value = Date.now() + skew), interval)
  if (getCurrentScope()) onScopeDispose(() => clearInterval(timer))

  function offset(serverIso) {
    const server = Date.parse(String(serverIso ?? '').replace(/(\.\d{3})\d+/, '$1'))
    if (Number.isNaN(server)) return
    skew = server - Date.now()
    now.value = server
  }
  return { now, offset }
}
