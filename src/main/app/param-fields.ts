import type { ParamField } from '../../shared/snapshots'

/** The parts of a valibot schema object this reads (valibot schemas are plain objects). */
interface SchemaNode {
  type?: string
  wrapped?: SchemaNode
  default?: unknown
  entries?: Record<string, SchemaNode>
  options?: unknown[]
  literal?: unknown
  pipe?: { type?: string; kind?: string; requirement?: unknown }[]
}

/**
 * Reads a scenario's (or daemon's) params schema into form fields, so the UI can draw a form
 * without a second copy of the rules. Anything it cannot show as a plain input is `json`.
 *
 * @example paramFields(v.object({ n: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1)), 3) }), { n: 3 })
 *   // → [{ key: 'n', kind: 'integer', default: 3, min: 1, max: null, … }]
 */
export function paramFields(schema: unknown, defaults: Record<string, unknown>): ParamField[] {
  const root = schema as SchemaNode
  // A piped object schema (object + checks) keeps its entries on the pipe's first element.
  const entries = root.entries ?? (root.pipe?.[0] as SchemaNode | undefined)?.entries
  if (!entries) return []
  return Object.entries(entries).map(([key, node]) => field(key, node, defaults[key]))
}

function field(key: string, node: SchemaNode, def: unknown): ParamField {
  const out: ParamField = { key, kind: 'json', default: def ?? null, optional: false, nullable: false, min: null, max: null, options: null }
  let n: SchemaNode | undefined = node
  // Unwrap optional / nullable / nullish layers, remembering what they allow.
  while (n && (n.type === 'optional' || n.type === 'nullable' || n.type === 'nullish' || n.type === 'exact_optional')) {
    if (n.type !== 'nullable') out.optional = true
    if (n.type !== 'optional' && n.type !== 'exact_optional') out.nullable = true
    n = n.wrapped
  }
  if (!n) return out
  const base = n.pipe?.[0] ?? n
  for (const action of n.pipe?.slice(1) ?? []) {
    if (action.type === 'integer' || action.type === 'safe_integer') out.kind = 'integer'
    if (action.type === 'min_value' && typeof action.requirement === 'number') out.min = action.requirement
    if (action.type === 'max_value' && typeof action.requirement === 'number') out.max = action.requirement
  }
  switch ((base as SchemaNode).type) {
    case 'number':
      if (out.kind !== 'integer') out.kind = 'number'
      break
    case 'string':
      out.kind = 'string'
      break
    case 'boolean':
      out.kind = 'boolean'
      break
    case 'picklist':
      out.kind = 'enum'
      out.options = ((base as SchemaNode).options ?? []).filter((o): o is string | number => typeof o === 'string' || typeof o === 'number')
      break
    case 'union': {
      const literals = ((base as SchemaNode).options ?? []) as SchemaNode[]
      if (literals.every((o) => o.type === 'literal' && (typeof o.literal === 'string' || typeof o.literal === 'number'))) {
        out.kind = 'enum'
        out.options = literals.map((o) => o.literal as string | number)
      }
      break
    }
    default:
      out.kind = 'json'
  }
  if (out.kind === 'json') {
    out.min = null
    out.max = null
  }
  return out
}
