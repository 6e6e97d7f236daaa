import { getCurrentScope, onScopeDispose, ref } from 'vue'

// The interval is kept between these bounds, whatever a caller asks for.
const MIN_INTERVAL = 250
const MAX_INTERVAL = 60_000

/**
 * Ask again and again: poll() runs every `interval` ms after start(), until it returns false,
 * throws, stop() is called, or the component (effect scope) that made it goes away.
 * The next wait starts when the previous poll has finished, so slow answers never pile up.
 *
 * const polling = usePolling(async () => isActive(await getJob(id)), { interval: 1000 })
 * polling.start(); polling.active (true while polling)
 */
export function usePolling(poll, { interval = 1000 } = {}) {
  const delay = Math.min(MAX_INTERVAL, Math.max(MIN_INTERVAL, Number(interval) || MIN_INTERVAL))
  const active = ref(false)
  let timer = null
  let generation = 0

  function schedule(mine) {
    timer = setTimeout(async () => {
      timer = null
      let again = false
      try {
        again = (await poll()) !== false
      } catch {
        again = false
      }
      if (mine !== generation) return // stopped (or restarted) meanwhile
      if (again) schedule(mine)
      else stop()
    }, delay)
  }

  function start() {
    if (active.value) return
    active.value = true
    schedule(++generation)
  }

  function stop() {
    generation++
    active.value = false
    clearTimeout(timer)
    timer = null
  }

  if (getCurrentScope()) onScopeDispose(stop)
  return { active, start, stop, interval: delay }
}

/**
 * What a page that polls says when a poll fails: while it still shows an earlier answer, that the answer is
 * not up to date (shown with class "stale"); before it has one, the server's sentence or `unloaded`.
 */
export function pollFailure(err, { shown, unloaded }) {
  if (shown) return `Not up to date: ${err?.message || 'the last refresh failed.'} Trying again.`
  return err?.message || unloaded
}
