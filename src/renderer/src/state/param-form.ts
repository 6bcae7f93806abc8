// The launcher's parameter form: each field is edited as text and turned back into JSON on submit.
// Conversion problems are caught here, next to the field; the scenario's own schema on the main
// side has the last word and its issues come back keyed by path.
import type { ParamField } from '../../../shared/snapshots'

export type FormValues = Record<string, string | boolean>

/** The text a field starts with: its default, written as the user would type it. */
export function initialValue(field: ParamField): string | boolean {
  if (field.kind === 'boolean') return field.default === true
  if (field.default == null) return ''
  if (field.kind === 'json' || typeof field.default === 'object') return JSON.stringify(field.default)
  return String(field.default)
}

export function initialValues(fields: readonly ParamField[]): FormValues {
  return Object.fromEntries(fields.map((f) => [f.key, initialValue(f)]))
}

/**
 * Turn the form's text into params. Empty optional fields are left out; empty nullable ones are
 * null. Returns field errors instead when a value cannot be read.
 *
 * @example toParams([{ key: 'delay', kind: 'integer', … }], { delay: '250' }) // { ok: true, params: { delay: 250 } }
 */
export function toParams(
  fields: readonly ParamField[],
  values: FormValues,
): { ok: true; params: Record<string, unknown> } | { ok: false; errors: Record<string, string> } {
  const params: Record<string, unknown> = {}
  const errors: Record<string, string> = {}
  for (const f of fields) {
    const raw = values[f.key]
    if (f.kind === 'boolean') {
      params[f.key] = raw === true
      continue
    }
    const text = typeof raw === 'string' ? raw.trim() : ''
    if (text === '') {
      if (f.nullable) params[f.key] = null
      else if (!f.optional) errors[f.key] = 'required'
      continue
    }
    if (f.kind === 'number' || f.kind === 'integer') {
      const n = Number(text)
      if (!Number.isFinite(n)) errors[f.key] = 'enter a number'
      else if (f.kind === 'integer' && !Number.isInteger(n)) errors[f.key] = 'enter a whole number'
      else params[f.key] = n
    } else if (f.kind === 'json') {
      try {
        params[f.key] = JSON.parse(text)
      } catch {
        errors[f.key] = 'enter JSON, e.g. [1000, 2000]'
      }
    } else if (f.kind === 'enum') {
      const opt = f.options?.find((o) => String(o) === text)
      if (opt === undefined) errors[f.key] = `choose one of ${(f.options ?? []).join(', ')}`
      else params[f.key] = opt
    } else {
      params[f.key] = text
    }
  }
  return Object.keys(errors).length > 0 ? { ok: false, errors } : { ok: true, params }
}

/**
 * Map the main side's issues (`[{ path: 'params.delay', message }]`, or `delay`) onto form fields;
 * issues that name no field are returned under the empty key.
 */
export function issuesToErrors(fields: readonly ParamField[], details: unknown): Record<string, string> {
  const out: Record<string, string> = {}
  if (!Array.isArray(details)) return out
  const keys = new Set(fields.map((f) => f.key))
  for (const issue of details) {
    if (typeof issue !== 'object' || issue === null) continue
    const { path, message } = issue as { path?: unknown; message?: unknown }
    const text = typeof message === 'string' ? message : 'invalid'
    const parts = (typeof path === 'string' ? path : Array.isArray(path) ? path.join('.') : '').split('.')
    const key = parts.find((p) => keys.has(p)) ?? ''
    out[key] = out[key] ? `${out[key]}; ${text}` : text
  }
  return out
}
