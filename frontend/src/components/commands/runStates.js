// A command run's state in words, with a mark and a colour (the health colours of main.css), and its duration.
import { duration } from '@/components/monitoring/ago.js'
import { parseIso } from '@/composables/useTime.js'

export const RUN_STATES = {
  running: { mark: '◔', words: 'running', health: 'paused' },
  done: { mark: '✓', words: 'done', health: 'ok' },
  failed: { mark: '✕', words: 'failed', health: 'alarm' },
  timeout: { mark: '⧗', words: 'timed out', health: 'warning' },
  cancelled: { mark: '○', words: 'cancelled', health: 'unknown' },
}

export const isRunning = (run) => run.state === 'running'

/** "0.14 s", "3.2 s", "2 min": how long a run took, or has been running at nowMs. */
export function runDuration(run, nowMs = Date.now()) {
  let seconds = run.duration_s
  if (seconds === null || seconds === undefined) {
    const started = parseIso(run.started)
    if (!started) return '—'
    seconds = Math.max(0, (nowMs - started.getTime()) / 1000)
  }
  if (seconds < 10) return `${seconds.toFixed(seconds < 1 ? 2 : 1)} s`
  return duration(seconds)
}
