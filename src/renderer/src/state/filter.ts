// The filter box's little language (UI.md): `state:waiting name:worker*`. Terms are separated by
// spaces; `state:` takes one or more states separated by commas; `name:` takes a glob (`*`, `?`);
// `fn:` a glob over the coroutine function's name (`fn:sleeper`);
// a bare word matches names containing it; a leading `-` negates a term. Terms of different kinds
// must all hold; several `state:` terms widen each other (any listed state matches).

export interface FilterTerm {
  kind: 'state' | 'name' | 'fn' | 'text'
  negate: boolean
  /** For `state`: the states; for `name` and `fn`: the glob; for `text`: the substring (lower case). */
  values: string[]
}

export interface ParsedFilter {
  terms: FilterTerm[]
  /** Human messages for terms that could not be understood; such terms are ignored. */
  problems: string[]
}

/** Something the filter can test: a name, a state, and the coroutine function if known. */
export interface Filterable {
  name: string
  state: string
  coro?: string
}

/**
 * Parse the filter box's text. Unknown states are reported in `problems` (and that term is
 * dropped) instead of silently matching nothing.
 *
 * @example parseFilter('state:waiting name:worker*', ['waiting', 'done']).terms.length // 2
 */
export function parseFilter(text: string, knownStates: readonly string[]): ParsedFilter {
  const terms: FilterTerm[] = []
  const problems: string[] = []
  for (const raw of text.trim().split(/\s+/)) {
    if (raw === '' || raw === '-') continue
    const negate = raw.startsWith('-')
    const word = negate ? raw.slice(1) : raw
    const colon = word.indexOf(':')
    const key = colon > 0 ? word.slice(0, colon).toLowerCase() : ''
    const value = colon > 0 ? word.slice(colon + 1) : word
    if (key === 'state' || key === 's') {
      const states = value.split(',').map((s) => s.trim().toLowerCase()).filter((s) => s !== '')
      const unknown = states.filter((s) => !knownStates.includes(s))
      if (states.length === 0) problems.push(`"${raw}": name a state, e.g. state:waiting`)
      else if (unknown.length > 0)
        problems.push(`unknown state ${unknown.map((s) => `"${s}"`).join(', ')} (states: ${knownStates.join(', ')})`)
      else terms.push({ kind: 'state', negate, values: states })
    } else if (key === 'name' || key === 'n') {
      if (value === '') problems.push(`"${raw}": give a name or a glob, e.g. name:worker*`)
      else terms.push({ kind: 'name', negate, values: [value] })
    } else if (key === 'fn') {
      if (value === '') problems.push(`"${raw}": give a coroutine function's name or a glob, e.g. fn:worker`)
      else terms.push({ kind: 'fn', negate, values: [value] })
    } else {
      terms.push({ kind: 'text', negate, values: [word.toLowerCase()] })
    }
  }
  return { terms, problems }
}

const globCache = new Map<string, RegExp>()

/** A glob (`*` any run, `?` one character) as an anchored, case-insensitive RegExp. */
export function globToRegExp(glob: string): RegExp {
  let re = globCache.get(glob)
  if (!re) {
    const body = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')
    re = new RegExp(`^${body}$`, 'i')
    globCache.set(glob, re)
  }
  return re
}

function termHolds(term: FilterTerm, item: Filterable): boolean {
  switch (term.kind) {
    case 'state':
      return term.values.includes(item.state)
    case 'name':
      return globToRegExp(term.values[0] ?? '').test(item.name)
    case 'fn':
      return globToRegExp(term.values[0] ?? '').test(item.coro ?? '')
    case 'text':
      return item.name.toLowerCase().includes(term.values[0] ?? '')
  }
}

/**
 * Build the predicate for a parsed filter. Positive `state:` terms are OR-ed together (so
 * `state:waiting state:running` shows both); everything else is AND-ed.
 */
export function compileFilter(filter: ParsedFilter): (item: Filterable) => boolean {
  const positiveStates = filter.terms.filter((t) => t.kind === 'state' && !t.negate)
  const others = filter.terms.filter((t) => !(t.kind === 'state' && !t.negate))
  if (positiveStates.length === 0 && others.length === 0) return () => true
  const states = new Set(positiveStates.flatMap((t) => t.values))
  return (item) => {
    if (states.size > 0 && !states.has(item.state)) return false
    for (const t of others) if (termHolds(t, item) === t.negate) return false
    return true
  }
}
