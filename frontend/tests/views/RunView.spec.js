import { afterEach, describe, expect, it, vi } from 'vitest'
import { flushPromises } from '@vue/test-utils'
import { error, fakeServer, meAnswer, user, viewer } from '../fakeServer.js'
import { mountApp, settle } from '../mountApp.js'
import { button, field, region } from '../finders.js'

let wrapper
afterEach(() => {
  wrapper?.unmount()
  vi.useRealTimers()
})

const job = (id, overrides = {}) => ({
  id,
  kind: 'dark',
  state: 'running',
  done: 3,
  total: 10,
  fraction: 0.3,
  message: '',
  params: { experiment: 'exp1', run: 12, detname: 'cspad-0001', path: 'exp1/r12.h5', workspace: '' },
  result: null,
  created_by: 'alice',
  created: '2026-11-20T12:00:00Z',
  started: '2026-11-20T12:00:01Z',
  finished: null,
  ...overrides,
})

const runDetail = (overrides = {}) => ({
  experiment: 'exp1',
  number: 12,
  begin: '2026-11-20T10:00:00Z',
  end: null,
  data_type: 'dark',
  dark: {
    reason: 'power_cycled',
    reason_label: 'Power cycled',
    reason_text: '',
    notes: 'After the power cut.',
    tagged_by: 'alice',
    tagged: '2026-11-20T11:00:00Z',
  },
  files: [{ detname: 'cspad-0001', path: 'exp1/r12.h5', size: 2097152, registered_by: 'alice', registered: '2026-11-20T10:40:00Z' }],
  notes_count: 2,
  notes: [
    { author: 'alice', text: 'First note', created: '2026-11-20T10:05:00Z' },
    { author: 'bob', text: 'Second note', created: '2026-11-20T10:10:00Z' },
  ],
  tag_history: [
    { action: 'tag', reason: 'power_cycled', reason_text: '', notes: 'After the power cut.', by: 'alice', time: '2026-11-20T11:00:00Z' },
  ],
  jobs: [],
  ...overrides,
})

const expert = () => meAnswer(user(), ['read', 'runs.write', 'calib.write'])

function routes(extra = {}) {
  return {
    'GET /api/auth/me': expert(),
    'GET /api/experiments/exp1/runs/12': { body: { ok: true, run: runDetail() } },
    'GET /api/experiments/exp1': {
      body: { ok: true, experiment: { name: 'exp1', dark_detectors: ['cspad-0001', 'epix-0002'] } },
    },
    'GET /api/dark-reasons': {
      body: { ok: true, reasons: [{ value: 'power_cycled', label: 'Power cycled' }, { value: 'other', label: 'Other' }] },
    },
    ...extra,
  }
}

describe('run page', () => {
  it('shows the run, its dark tag and tag history, its notes and its files', async () => {
    fakeServer(routes())
    ;({ wrapper } = await mountApp('/runs/exp1/12'))
    expect(wrapper.find('h1').text()).toBe('Run 12 of exp1')
    const details = region(wrapper, 'Details')
    expect(details.text()).toContain('Power cycled')
    expect(details.text()).toContain('After the power cut.')
    expect(details.text()).toContain('still open')
    expect(region(wrapper, 'Dark tag history').text()).toContain('Tagged as dark')

    const notes = region(wrapper, 'E-log').findAll('li')
    expect(notes.map((n) => n.find('.run-note-text').text())).toEqual(['First note', 'Second note'])

    const files = region(wrapper, 'Data files')
    expect(files.find('tbody').text()).toContain('exp1/r12.h5')
    expect(files.find('tbody').text()).toContain('2.0 MiB')
  })

  it('a viewer sees no forms and no action buttons', async () => {
    fakeServer(
      routes({
        'GET /api/auth/me': meAnswer(viewer(), ['read']),
        'GET /api/experiments/exp1/runs/12': { body: { ok: true, run: runDetail({ jobs: [job(4)] }) } },
      }),
    )
    ;({ wrapper } = await mountApp('/runs/exp1/12'))
    expect(wrapper.find('h1').text()).toBe('Run 12 of exp1')
    expect(wrapper.find('main form').exists()).toBe(false)
    expect(wrapper.findAll('main button')).toHaveLength(0)
    // The job is still shown, with its progress.
    expect(wrapper.find('progress[aria-label="Job 4 progress"]').exists()).toBe(true)
  })

  it('adds a note to the e-log, below the others', async () => {
    const seen = fakeServer(
      routes({
        'POST /api/experiments/exp1/runs/12/notes': (r) => ({
          status: 201,
          body: { ok: true, note: { author: 'alice', text: r.body.text, created: '2026-11-20T12:00:00Z' } },
        }),
      }),
    )
    ;({ wrapper } = await mountApp('/runs/exp1/12'))
    const elog = region(wrapper, 'E-log')
    await field(elog, 'Add a note').setValue('  Gain looks odd in panel 3.  ')
    await button(elog, 'Add note').trigger('click')
    await settle()
    expect(seen.find((r) => r.method === 'POST').body).toEqual({ text: 'Gain looks odd in panel 3.' })
    expect(elog.findAll('li').at(-1).text()).toContain('Gain looks odd in panel 3.')
    expect(field(elog, 'Add a note').element.value).toBe('')
  })

  it('tags the run as dark from its page and shows the new tag history', async () => {
    let tagged = false
    const seen = fakeServer(
      routes({
        'GET /api/experiments/exp1/runs/12': () => ({
          body: {
            ok: true,
            run: tagged ? runDetail() : runDetail({ dark: null, tag_history: [] }),
          },
        }),
        'PUT /api/experiments/exp1/runs/12/dark': () => {
          tagged = true
          return { body: { ok: true, run: runDetail() } }
        },
      }),
    )
    ;({ wrapper } = await mountApp('/runs/exp1/12'))
    expect(region(wrapper, 'Details').text()).toContain('Not tagged as dark')
    expect(region(wrapper, 'Dark tag history').text()).toContain('never tagged')

    await button(wrapper, 'Tag as dark').trigger('click')
    await settle()
    const dialog = wrapper.find('[role="dialog"]')
    await field(dialog, 'Reason').setValue('power_cycled')
    await field(dialog, 'Notes').setValue('After the power cut.')
    await button(dialog, 'Tag as dark').trigger('click')
    await settle()

    expect(seen.find((r) => r.method === 'PUT').body).toEqual({ reason: 'power_cycled', notes: 'After the power cut.' })
    expect(region(wrapper, 'Details').text()).toContain('Power cycled')
    expect(region(wrapper, 'Dark tag history').text()).toContain('Tagged as dark')
    expect(button(wrapper, 'Remove dark tag')).toBeTruthy()
  })

  it('registers a data file and shows the generation it started', async () => {
    const seen = fakeServer(
      routes({
        'POST /api/experiments/exp1/runs/12/files': (r) => ({
          status: 201,
          body: {
            ok: true,
            run: runDetail({ files: [...runDetail().files, { detname: r.body.detname, path: r.body.path, size: 10 }] }),
            jobs: [job(8, { state: 'queued', done: 0, total: 0, fraction: 0, params: { detname: 'epix-0002' } })],
          },
        }),
        'GET /api/jobs/8': { body: { ok: true, job: job(8, { state: 'queued', fraction: 0 }) } },
      }),
    )
    ;({ wrapper } = await mountApp('/runs/exp1/12'))
    const files = region(wrapper, 'Data files')
    await field(files, 'Detector').setValue('epix-0002')
    await field(files, 'File path').setValue('exp1/r12-epix.h5')
    await button(files, 'Register file').trigger('click')
    await settle()

    expect(seen.find((r) => r.method === 'POST').body).toEqual({ detname: 'epix-0002', path: 'exp1/r12-epix.h5' })
    expect(files.find('tbody').text()).toContain('exp1/r12-epix.h5')
    expect(wrapper.find('[role="status"]').text()).toBe('File registered; generation started (job 8).')
    expect(region(wrapper, 'Jobs').text()).toContain('Waiting to start')
  })

  it('shows the server’s sentences beside the file fields', async () => {
    fakeServer(
      routes({
        'POST /api/experiments/exp1/runs/12/files': error(400, 'The file was not registered.', {
          errors: [{ field: 'path', error: 'There is no file exp1/nope.h5 under the data root.' }],
        }),
      }),
    )
    ;({ wrapper } = await mountApp('/runs/exp1/12'))
    const files = region(wrapper, 'Data files')
    await field(files, 'Detector').setValue('cspad-0001')
    await field(files, 'File path').setValue('exp1/nope.h5')
    await button(files, 'Register file').trigger('click')
    await settle()
    const path = field(files, 'File path')
    expect(path.attributes('aria-invalid')).toBe('true')
    const described = path.attributes('aria-describedby').split(' ').map((id) => files.find(`#${id}`).text())
    expect(described).toContain('There is no file exp1/nope.h5 under the data root.')
    expect(files.find('[role="alert"]').text()).toBe('The file was not registered.')
  })

  it('a running job’s progress bar updates every second and polling stops when done', async () => {
    let polls = 0
    const answers = [
      job(9, { done: 6, fraction: 0.6 }),
      job(9, {
        state: 'done',
        done: 10,
        fraction: 1,
        finished: '2026-11-20T12:01:00Z',
        result: { versions: [{ id: 31, ctype: 'pedestals', versind: 4, url: '/x' }] },
      }),
    ]
    const seen = fakeServer(
      routes({
        'POST /api/calib/generate': { status: 202, body: { ok: true, job: job(9, { done: 0, fraction: 0 }) } },
        'GET /api/jobs/9': () => ({ body: { ok: true, job: answers[Math.min(polls++, answers.length - 1)] } }),
      }),
    )
    ;({ wrapper } = await mountApp('/runs/exp1/12'))
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] })
    const tick = async (ms) => {
      await vi.advanceTimersByTimeAsync(ms)
      for (let i = 0; i < 3; i++) await flushPromises()
    }

    const form = region(wrapper, 'Generate constants')
    expect(field(form, 'Detector').element.value).toBe('cspad-0001')
    await field(form, 'Work-space').setValue('tests')
    await button(form, 'Generate').trigger('click')
    await tick(0)
    expect(polls).toBe(0)
    expect(seen.find((r) => r.method === 'POST').body).toEqual({
      experiment: 'exp1',
      run: 12,
      detname: 'cspad-0001',
      workspace: 'tests',
    })
    const bar = () => wrapper.find('progress[aria-label="Job 9 progress"]')
    expect(bar().element.value).toBe(0)

    await tick(1000)
    expect(polls).toBe(1)
    expect(bar().element.value).toBeCloseTo(0.6)
    expect(region(wrapper, 'Jobs').text()).toContain('60 % (6 of 10)')

    await tick(1000)
    expect(polls).toBe(2)
    expect(bar().exists()).toBe(false)
    const link = region(wrapper, 'Jobs').find('a[href="/calibrations/versions/31"]')
    expect(link.text()).toBe('pedestals, version 4')

    await tick(5000)
    expect(polls).toBe(2)
  })

  it('cancels a running job', async () => {
    const seen = fakeServer(
      routes({
        'GET /api/experiments/exp1/runs/12': { body: { ok: true, run: runDetail({ jobs: [job(7)] }) } },
        'GET /api/jobs/7': { body: { ok: true, job: job(7) } },
        'POST /api/jobs/7/cancel': { body: { ok: true, job: job(7, { state: 'cancelled', message: 'cancelled by alice' }) } },
      }),
    )
    ;({ wrapper } = await mountApp('/runs/exp1/12'))
    await button(wrapper, 'Cancel job 7').trigger('click')
    await settle()
    expect(seen.some((r) => r.method === 'POST' && r.path === '/api/jobs/7/cancel')).toBe(true)
    const jobs = region(wrapper, 'Jobs')
    expect(jobs.text()).toContain('Cancelled: cancelled by alice')
    expect(jobs.find('progress').exists()).toBe(false)
    expect(button(wrapper, 'Cancel job 7')).toBeUndefined()
  })

  it('shows why a job failed, prominently', async () => {
    fakeServer(
      routes({
        'GET /api/experiments/exp1/runs/12': {
          body: { ok: true, run: runDetail({ jobs: [job(5, { state: 'failed', message: 'The file has no events.' })] }) },
        },
      }),
    )
    ;({ wrapper } = await mountApp('/runs/exp1/12'))
    const alert = region(wrapper, 'Jobs').find('[role="alert"]')
    expect(alert.text()).toBe('Job 5 failed: The file has no events.')
  })
})

describe('generating from uploaded frames', () => {
  it('sends the chosen file with the run range as a multipart upload', async () => {
    const seen = fakeServer(
      routes({
        'POST /api/calib/generate/upload': { status: 202, body: { ok: true, job: job(9, { done: 0, fraction: 0 }) } },
        'GET /api/jobs/9': { body: { ok: true, job: job(9, { state: 'done', done: 1, fraction: 1 }) } },
      }),
    )
    ;({ wrapper } = await mountApp('/runs/exp1/12'))
    const form = region(wrapper, 'Generate constants')
    await field(form, 'Valid for runs').setValue('12-20')
    const input = field(form, 'Upload frames')
    const frames = new File([new Uint8Array([0x89, 0x48, 0x44, 0x46])], 'r12.h5')
    Object.defineProperty(input.element, 'files', { value: [frames] })
    await input.trigger('change')
    await button(form, 'Generate').trigger('click')
    await flushPromises()
    const sent = seen.find((r) => r.method === 'POST')
    expect(sent.path).toBe('/api/calib/generate/upload')
    expect(JSON.parse(sent.body.get('metadata'))).toEqual({
      experiment: 'exp1',
      run: 12,
      detname: 'cspad-0001',
      runs: '12-20',
    })
    expect(sent.body.get('frames').name).toBe('r12.h5')
    expect(sent.headers['Content-Type']).toBeUndefined()
  })
})
