import { computed, ref } from 'vue'
import { defineStore } from 'pinia'
import { getEngine } from '@/api/monitoring.js'
import { listAlerts } from '@/api/alerts.js'

// What every page shows of monitoring: whether the alert engine runs (the "monitoring stalled" banner)
// and how many alerts are active and not acknowledged (the count in the navigation). App.vue refreshes it
// every few seconds while someone is signed in.
export const useMonitoringStore = defineStore('monitoring', () => {
  const engine = ref(null)
  const active = ref(null) // the active alerts (not shelved, not suppressed), or null before the first answer
  let revision = null

  const stalled = computed(() => Boolean(engine.value?.stalled))
  const activeCount = computed(() => active.value?.length ?? 0)

  /** Ask again; a failed answer keeps what was known (the banner is for the engine, not the network). */
  async function refresh() {
    const [engineAnswer, alertsAnswer] = await Promise.allSettled([getEngine(), listAlerts({ state: 'active' }, revision)])
    if (engineAnswer.status === 'fulfilled') engine.value = engineAnswer.value
    if (alertsAnswer.status === 'fulfilled') {
      const data = alertsAnswer.value
      if (!data.unchanged) active.value = (data.alerts ?? []).filter((a) => !a.shelved && !a.suppressed_by)
      revision = data.revision ?? null
    }
  }

  function clear() {
    engine.value = null
    active.value = null
    revision = null
  }

  return { engine, active, stalled, activeCount, refresh, clear }
})
