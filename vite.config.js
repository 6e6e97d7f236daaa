import { fileURLToPath, URL } from 'node:url'
import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'

// The SPA lives in frontend/; the build goes to static/ at the repository root,
// which the Bottle backend serves (index.html for every non-API path, /assets/* as files).
export default defineConfig({
  root: fileURLToPath(new URL('./frontend', import.meta.url)),
  base: '/',
  // Keep Vite's and Vitest's caches beside the root node_modules, not in frontend/.
  cacheDir: fileURLToPath(new URL('./node_modules/.vite', import.meta.url)),
  plugins: [vue()],
  resolve: {
    alias: {
      '@': fileURLToPath(new URL('./frontend/src', import.meta.url)),
    },
  },
  build: {
    outDir: fileURLToPath(new URL('./static', import.meta.url)),
    emptyOutDir: true,
    assetsDir: 'assets',
  },
  server: {
    port: 5173,
    proxy: {
      '/api': { target: 'http://127.0.0.1:8080', changeOrigin: false },
    },
  },
  test: {
    environment: 'jsdom',
    include: ['tests/**/*.spec.js'],
    restoreMocks: true,
    unstubGlobals: true,
  },
})
