import { describe, expect, it } from 'vitest'
import { fromLocalInput, limitLines, localInput, plotData, pointsFor, valueRange, windowOf } from '@/components/monitoring/series.js'
import { formatValue, levelOf, limitsText } from '@/components/monitoring/levels.js'
import { ago, duration } from '@/components/monitoring/ago.js'
import { parameter } from '../../monitoringFixtures.js'

describe('plot data', () => {
  it('turns the binned series into uPlot columns t, min, max, mean', () => {
    const data = plotData({ t: [0, 60, 120], min: [1, 2, 3], mean: [2, 3, 4], max: [3, 4, 5], bucket_s: 60 })
    expect(data).toEqual([[0, 60, 120], [1, 2, 3], [3, 4, 5], [2, 3, 4]])
  })

  it('breaks the lines where readings stop for a while, not between readings rarer than the buckets', () => {
    const gap = plotData({ t: [0, 60, 120, 1200], min: [1, 1, 1, 1], mean: [1, 1, 1, 1], max: [1, 1, 1, 1], bucket_s: 60 })
    expect(gap[0]).toEqual([0, 60, 120, 660, 1200])
    expect(gap[3]).toEqual([1, 1, 1, null, 1])
    const rare = plotData({ t: [0, 30, 60, 90], min: [1, 1, 1, 1], mean: [1, 1, 1, 1], max: [1, 1, 1, 1], bucket_s: 4 })
    expect(rare[0]).toEqual([0, 30, 60, 90])
  })

  it('is empty for no answer', () => {
    expect(plotData(null)).toEqual([[], [], [], []])
  })

  it('draws the limits that are set, and the scale takes them in when asked', () => {
    const lines = limitLines(parameter({ alarm_low: null }))
    expect(lines.map((l) => [l.label, l.value, l.level])).toEqual([
      ['warn low', 15, 'warning'],
      ['warn high', 32, 'warning'],
      ['alarm high', 38, 'alarm'],
    ])
    const data = [[0, 1], [20, 21], [22, 23], [21, 22]]
    const [low, high] = valueRange(data, lines, true)
    expect(low).toBeLessThan(15)
    expect(high).toBeGreaterThan(38)
    const [low2, high2] = valueRange(data, lines, false)
    expect(low2).toBeGreaterThan(19)
    expect(high2).toBeLessThan(24)
    expect(valueRange([[], [], [], []])).toEqual([0, 1])
  })

  it('knows the windows of the ranges, and the points to ask for', () => {
    expect(windowOf('6h', 100000)).toEqual({ from: 100000 - 21600, to: 100000 })
    expect(windowOf('30d', 5e6).to - windowOf('30d', 5e6).from).toBe(30 * 86400)
    expect(pointsFor(0)).toBe(1000)
    expect(pointsFor(20)).toBe(100)
    expect(pointsFor(99999)).toBe(5000)
    const now = Math.round(Date.now() / 60000) * 60
    expect(fromLocalInput(localInput(now))).toBe(now)
    expect(fromLocalInput('')).toBeNull()
  })
})

describe('levels and times', () => {
  it('says where a value is against the limits, as the engine does', () => {
    const p = parameter()
    expect(levelOf(25, p)).toBe('ok')
    expect(levelOf(32, p)).toBe('ok')
    expect(levelOf(32.1, p)).toBe('warning')
    expect(levelOf(9, p)).toBe('alarm')
    expect(levelOf(39, { ...p, alarm_severity: 'critical' })).toBe('critical')
    expect(levelOf(null, p)).toBe('')
    expect(limitsText(parameter({ alarm_low: null, warn_low: null }))).toBe('warn > 32 · alarm > 38')
    expect(limitsText({})).toBe('no limits')
  })

  it('writes numbers and durations short', () => {
    expect(formatValue(35.2, 'degC')).toBe('35.2 degC')
    expect(formatValue(1.925737)).toBe('1.926')
    expect(formatValue(0.00001234)).toBe('1.234e-5')
    expect(formatValue(null)).toBe('—')
    expect(duration(12)).toBe('12 s')
    expect(duration(300)).toBe('5 min')
    expect(duration(5400)).toBe('1 h 30 min')
    expect(duration(3 * 86400)).toBe('3 d')
    expect(ago('2026-11-21T21:00:00Z', Date.parse('2026-11-21T21:00:12Z'))).toBe('12 s ago')
    expect(ago('2026-11-21T21:10:00Z', Date.parse('2026-11-21T21:00:00Z'))).toBe('in 10 min')
    expect(ago(null)).toBe('')
  })
})
