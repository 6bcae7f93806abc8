import { describe, expect, it } from 'vitest'
import type { ParamField } from '../../src/shared/snapshots'
import { initialValues, issuesToErrors, toParams } from '../../src/renderer/src/state/param-form'

function field(over: Partial<ParamField> & Pick<ParamField, 'key' | 'kind'>): ParamField {
  return { default: null, optional: false, nullable: false, min: null, max: null, options: null, ...over }
}

const fields = [
  field({ key: 'delay', kind: 'integer', default: 10000 }),
  field({ key: 'delays', kind: 'json', default: [4000, 1000] }),
  field({ key: 'path', kind: 'string', default: null, nullable: true }),
  field({ key: 'loud', kind: 'boolean', default: false }),
]

describe('parameter form', () => {
  it('starts from the defaults written as the user would type them', () => {
    expect(initialValues(fields)).toEqual({ delay: '10000', delays: '[4000,1000]', path: '', loud: false })
  })

  it('turns the form text back into typed params', () => {
    const res = toParams(fields, { delay: '250', delays: '[1, 2]', path: '', loud: true })
    expect(res).toEqual({ ok: true, params: { delay: 250, delays: [1, 2], path: null, loud: true } })
  })

  it('names the field that cannot be read and starts nothing', () => {
    const res = toParams(fields, { delay: '1.5', delays: '[1,', path: 'x', loud: false })
    expect(res.ok).toBe(false)
    if (!res.ok) expect(Object.keys(res.errors).sort()).toEqual(['delay', 'delays'])
  })

  it("maps the main side's issues onto fields by path", () => {
    const errors = issuesToErrors(fields, [
      { path: 'params.delay', message: 'must be at least 0' },
      { path: '', message: 'unknown key "speed"' },
    ])
    expect(errors).toEqual({ delay: 'must be at least 0', '': 'unknown key "speed"' })
  })
})
