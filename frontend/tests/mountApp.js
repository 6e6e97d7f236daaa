import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { createMemoryHistory } from 'vue-router'
import App from '@/App.vue'
import { createAppRouter, sendToLogin } from '@/router/index.js'
import { configureClient, resetClient } from '@/api/client.js'
import { useAuthStore } from '@/stores/auth.js'

/** Mount the whole app at a path, wired like main.js does, against the stubbed fetch. */
export async function mountApp(path) {
  resetClient()
  const pinia = createPinia()
  setActivePinia(pinia)
  const router = createAppRouter(createMemoryHistory())
  const auth = useAuthStore(pinia)
  configureClient({
    csrfToken: () => auth.csrfToken,
    onUnauthorized: () => {
      auth.clear()
      sendToLogin(router)
    },
  })
  router.push(path)
  await router.isReady()
  const wrapper = mount(App, { global: { plugins: [pinia, router] }, attachTo: document.body })
  await settle()
  return { wrapper, router, auth }
}

/** Let pending requests, lazy views and re-renders finish. */
export async function settle() {
  for (let i = 0; i < 5; i++) {
    await flushPromises()
    await new Promise((resolve) => setTimeout(resolve, 0))
  }
}

/** Wait until check() is true (a navigation loads its view lazily, which takes a moment). */
export async function until(check, { timeout = 3000 } = {}) {
  const end = Date.now() + timeout
  while (!check()) {
    if (Date.now() > end) throw new Error(`Still not true after ${timeout} ms: ${check}`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
  await settle()
}
