// CodeMirror 6 for the editor: TypeScript highlighting, the runtime's names completed as you type,
// compile problems as lint diagnostics at their lines, and a theme from the app's own colours.
import { completeFromList, ifNotIn } from '@codemirror/autocomplete'
import type { Completion } from '@codemirror/autocomplete'
import { javascript, typescriptLanguage } from '@codemirror/lang-javascript'
import { HighlightStyle, syntaxHighlighting } from '@codemirror/language'
import { tags as t } from '@lezer/highlight'
import { lintGutter, setDiagnostics } from '@codemirror/lint'
import { EditorState } from '@codemirror/state'
import type { TransactionSpec } from '@codemirror/state'
import { EditorView } from '@codemirror/view'
import { basicSetup } from 'codemirror'
import type { ProgramDiagnostic } from '../../../../shared/program-contract'
import { toCodeMirror } from './diagnostics'
import { RUNTIME_EXPORTS } from './runtime-completions'

const KIND_TYPE = { function: 'function', class: 'class', constant: 'constant', type: 'type' } as const

/** The runtime's exports as completions: never inside a string or a comment. */
export const runtimeCompletions: Completion[] = RUNTIME_EXPORTS.map((e) => ({
  label: e.name,
  type: KIND_TYPE[e.kind],
  detail: e.kind === 'type' ? 'type' : e.signature.startsWith(e.name) ? e.signature.slice(e.name.length) : e.signature,
  info: e.info,
  // Above the language's keywords and locals of the same prefix.
  boost: 1,
}))
const runtimeSource = ifNotIn(['String', 'TemplateString', 'LineComment', 'BlockComment'], completeFromList(runtimeCompletions))

const theme = EditorView.theme({
  '&': { height: '100%', fontSize: '13px', backgroundColor: 'var(--panel)', color: 'var(--text)' },
  '&.cm-focused': { outline: '2px solid var(--focus)', outlineOffset: '-2px' },
  '.cm-scroller': { fontFamily: 'var(--mono)', lineHeight: '1.5' },
  '.cm-content': { caretColor: 'var(--text)' },
  '.cm-gutters': { backgroundColor: 'var(--panel-2)', color: 'var(--faint)', borderRight: '1px solid var(--border)' },
  '.cm-activeLine': { backgroundColor: 'var(--hover)' },
  '.cm-activeLineGutter': { backgroundColor: 'var(--hover)' },
  '.cm-tooltip': { backgroundColor: 'var(--panel)', border: '1px solid var(--border-strong)', color: 'var(--text)' },
  '.cm-diagnostic-error': { borderLeftColor: 'var(--st-failed)' },
})

/** Token colours from the app's CSS variables (--hl-*), so light and dark follow the system as the rest does. */
const highlight = HighlightStyle.define([
  { tag: [t.keyword, t.controlKeyword, t.moduleKeyword, t.operatorKeyword], color: 'var(--hl-keyword)' },
  { tag: [t.string, t.special(t.string), t.regexp], color: 'var(--hl-string)' },
  { tag: [t.number, t.bool, t.null, t.atom], color: 'var(--hl-number)' },
  { tag: [t.comment, t.lineComment, t.blockComment], color: 'var(--hl-comment)', fontStyle: 'italic' },
  { tag: [t.typeName, t.className, t.namespace], color: 'var(--hl-type)' },
  { tag: [t.function(t.variableName), t.function(t.propertyName)], color: 'var(--hl-function)' },
  { tag: [t.definition(t.variableName), t.definition(t.propertyName)], color: 'var(--hl-definition)' },
  { tag: t.invalid, color: 'var(--st-failed)' },
])

/** Mounts an editor on `parent`; `onEdit` gets the whole text after each change. */
export function createCodeEditor(parent: HTMLElement, doc: string, onEdit: (text: string) => void): EditorView {
  return new EditorView({
    parent,
    state: EditorState.create({
      doc,
      extensions: [
        // Before basicSetup and its default style: where both colour a token, the earlier wins.
        syntaxHighlighting(highlight),
        basicSetup,
        javascript({ typescript: true }),
        typescriptLanguage.data.of({ autocomplete: runtimeSource }),
        lintGutter(),
        theme,
        EditorView.contentAttributes.of({ 'aria-label': 'Program source (TypeScript)' }),
        EditorView.updateListener.of((u) => {
          if (u.docChanged) onEdit(u.state.doc.toString())
        }),
      ],
    }),
  })
}

/** Replaces the whole text (a template or a past run was opened). */
export function replaceText(view: EditorView, text: string): void {
  if (view.state.doc.toString() === text) return
  const spec: TransactionSpec = { changes: { from: 0, to: view.state.doc.length, insert: text }, selection: { anchor: 0 } }
  view.dispatch(spec)
}

/** Shows the main side's compile problems inline. */
export function showDiagnostics(view: EditorView, list: readonly ProgramDiagnostic[]): void {
  view.dispatch(setDiagnostics(view.state, list.map((d) => toCodeMirror(view.state.doc, d))))
}
