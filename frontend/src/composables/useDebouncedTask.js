import { getCurrentScope, onScopeDispose, ref, shallowRef } from 'vue'

/**
 * Run a request a moment after the last change, keeping only the newest answer (e.g. checking a
 * text as it is typed). schedule(...args) (re)starts the wait; now(...args) runs at once and
 * resolves when the answer is in. result is the last answer, error the last ApiError (null when
 * the last run went well); pending is true from schedule() until the newest answer arrives.
 *
 * const checking = useDebouncedTask((text) => checkConfig(kind, name, { text }), { delay: 300 })
 */
export function useDebouncedTask(task, { delay = 300 } = {}) {
  const result = shallowRef(null)
  const error = shallowRef(null)
  const pending = ref(false)
  let timer = null
  let generation = 0

  async function run(mine, args) {
    try {
      const answer = await task(...args)
      if (mine !== generation) return
      result.value = answer
      error.value = null
    } catch (err) {
      if (mine !== generation) return
      result.value = null
      error.value = err
    }
    pending.value = false
  }

  function schedule(...args) {
    clearTimeout(timer)
    const mine = ++generation
    pending.value = true
    timer = setTimeout(() => {
      timer = null
      run(mine, args)
    }, delay)
  }

  function now(...args) {
    clearTimeout(timer)
    timer = null
    const mine = ++generation
    pending.value = true
    return run(mine, args)
  }

  function cancel() {
    clearTimeout(timer)
    timer = null
    generation++
    pending.value = false
  }

  if (getCurrentScope()) onScopeDispose(cancel)
  return { result, error, pending, schedule, now, cancel }
}
