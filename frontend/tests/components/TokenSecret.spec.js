import { describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import TokenSecret from '@/components/tokens/TokenSecret.vue'

describe('token secret box', () => {
  it('shows the secret with a warning that it will not be shown again', () => {
    const w = mount(TokenSecret, { props: { name: 'ecal-ctl', secret: 'dcs_abc123' } })
    expect(w.find('h2').text()).toBe('Token “ecal-ctl” created')
    expect(w.find('code').text()).toBe('dcs_abc123')
    expect(w.text()).toContain('you will not see it again')
  })

  it('copies the secret to the clipboard and says so', async () => {
    const writeText = vi.fn().mockResolvedValue(undefined)
    vi.stubGlobal('navigator', { ...navigator, clipboard: { writeText } })
    const w = mount(TokenSecret, { props: { name: 'ecal-ctl', secret: 'dcs_abc123' } })
    const copy = w.findAll('button').find((b) => b.text() === 'Copy')
    await copy.trigger('click')
    await flushPromises()
    expect(writeText).toHaveBeenCalledWith('dcs_abc123')
    expect(w.find('[role="status"]').text()).toBe('Copied to the clipboard.')
  })

  it('says how to copy by hand when the browser refuses', async () => {
    vi.stubGlobal('navigator', { ...navigator, clipboard: { writeText: vi.fn().mockRejectedValue(new Error('denied')) } })
    document.execCommand = vi.fn(() => false)
    const w = mount(TokenSecret, { props: { name: 'x', secret: 'dcs_x' } })
    await w.findAll('button').find((b) => b.text() === 'Copy').trigger('click')
    await flushPromises()
    expect(w.find('[role="status"]').text()).toContain('copy it by hand')
    delete document.execCommand
  })

  it('asks to be closed with "Done"', async () => {
    const w = mount(TokenSecret, { props: { name: 'x', secret: 'dcs_x' } })
    await w.findAll('button').find((b) => b.text().startsWith('Done')).trigger('click')
    expect(w.emitted('done')).toHaveLength(1)
  })
})
