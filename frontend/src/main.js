import { createApp } from 'vue'
import { createPinia } from 'pinia'
import App from './App.vue'
import { createAppRouter, sendToLogin } from './router/index.js'
import { configureClient } from './api/client.js'
import { useAuthStore } from './stores/auth.js'
import './styles/main.css'

const app = createApp(App)
const pinia = createPinia()
app.use(pinia)

const router = createAppRouter()
const auth = useAuthStore(pinia)

configureClient({
  csrfToken: () => auth.csrfToken,
  // The session ended (expired, logged out elsewhere): back to the sign-in page, then here again.
  onUnauthorized: () => {
    auth.clear()
    sendToLogin(router)
  },
})

app.use(router)
app.mount('#app')
