import { ref, shallowRef } from 'vue'

/**
 * Load something from the server with visible loading and error state.
 * const { data, error, loading, reload } = useAsyncData(() => listDevices(), [])
 * error is the server's sentence ('' when all went well).
 */
export function useAsyncData(loader, initial = null, { immediate = true } = {}) {
  const data = shallowRef(initial)
  const error = ref('')
  const loading = ref(false)
  let generation = 0

  async function reload() {
    const mine = ++generation
    loading.value = true
    error.value = ''
    try {
      const result = await loader()
      if (mine === generation) data.value = result
    } catch (err) {
      if (mine === generation) error.value = err?.message || 'Something went wrong.'
    } finally {
      if (mine === generation) loading.value = false
    }
  }

  if (immediate) reload()
  return { data, error, loading, reload }
}
