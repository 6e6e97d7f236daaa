import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount, RouterLinkStub } from '@vue/test-utils'
import JobProgress from '@/components/runs/JobProgress.vue'
import { error, fakeServer } from '../fakeServer.js'

const job = (overrides = {}) => ({
  id: 3,
  kind: 'dark',
  state: 'running',
  done: 2,
  total: 8,
  fraction: 0.25,
  message: 'reading events',
  params: { detname: 'cspad-0001' },
  result: null,
  created_by: 'alice',
  created: '2026-11-20T12:00:00Z',
  started: null,
  finished: null,
  ...overrides,
})

function mountJob(props) {
  return mount(JobProgress, { props, global: { stubs: { RouterLink: RouterLinkStub } } })
}

async function tick(ms) {
  await vi.advanceTimersByTimeAsync(ms)
  for (let i = 0; i < 3; i++) await flushPromises()
}

beforeEach(() => vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] }))
afterEach(() => vi.useRealTimers())

const polls = (seen) => seen.filter((r) => r.method === 'GET').length

describe('job progress', () => {
  it('shows a labelled progress bar with the share done', () => {
    fakeServer({})
    const w = mountJob({ job: job() })
    const bar = w.find('progress')
    expect(bar.attributes('aria-label')).toBe('Job 3 progress')
    expect(bar.element.value).toBe(0.25)
    expect(w.text()).toContain('25 % (2 of 8)')
    expect(w.text()).toContain('reading events')
    w.unmount()
  })

  it('stops asking the server when it goes away', async () => {
    const seen = fakeServer({ 'GET /api/jobs/3': { body: { ok: true, job: job() } } })
    const w = mountJob({ job: job() })
    await tick(2000)
    expect(polls(seen)).toBe(2)
    w.unmount()
    await tick(5000)
    expect(polls(seen)).toBe(2)
  })

  it('does not ask about a job that is finished', async () => {
    const seen = fakeServer({})
    const w = mountJob({ job: job({ state: 'done', fraction: 1, result: { versions: [] } }) })
    await tick(3000)
    expect(polls(seen)).toBe(0)
    expect(w.text()).toContain('no new versions')
    w.unmount()
  })

  it('stops when the server no longer knows the job, and says so', async () => {
    const seen = fakeServer({ 'GET /api/jobs/3': error(404, 'There is no job 3.') })
    const w = mountJob({ job: job() })
    await tick(3000)
    expect(polls(seen)).toBe(1)
    expect(w.find('[role="alert"]').text()).toBe('There is no job 3.')
    w.unmount()
  })

  it('offers Cancel only to those who may cancel', () => {
    fakeServer({})
    const viewer = mountJob({ job: job() })
    expect(viewer.find('button').exists()).toBe(false)
    viewer.unmount()
    const writer = mountJob({ job: job(), canCancel: true })
    expect(writer.find('button').text()).toBe('Cancel job 3')
    writer.unmount()
  })
})
