// Messages the hub sends to an agent: the handshake's answer, errors, pongs and commands.
import * as v from 'valibot'
import { commandSpecs } from './commands'
import { REFUSAL_CODES, SESSION_ERROR_CODES } from './errors'
import { count, text } from './scalars'

/**
 * What a `notice` tells an agent, written once. `app-closing`: the app is shutting down gracefully
 * and leaves this process running (a service); the agent keeps running and reconnects when the
 * app is back. An agent that does not know a notice ignores it.
 */
export const NOTICE_KINDS = ['app-closing'] as const
export type NoticeKind = (typeof NOTICE_KINDS)[number]

/** A source id the hub assigns (`agent-1`, `agent-2`, …). */
export const MAX_SOURCE_ID_LENGTH = 64
const version = v.pipe(v.number(), v.safeInteger(), v.minValue(0))

export const hubMessageSchemas = {
  /** The hello was accepted: the agent is source `sourceId`; `limits` are this hub's. */
  welcome: v.strictObject({
    type: v.literal('welcome'),
    protocol: version,
    sourceId: v.pipe(v.string(), v.minLength(1), v.maxLength(MAX_SOURCE_ID_LENGTH)),
    limits: v.strictObject({ maxLineBytes: count }),
  }),
  /** The hello was refused; the hub closes the connection. `protocol` is the hub's version. */
  refused: v.strictObject({ type: v.literal('refused'), code: v.picklist(REFUSAL_CODES), message: text, protocol: version }),
  /** A message was rejected (it changed nothing); `fatal`: the hub closes the connection next. */
  error: v.strictObject({ type: v.literal('error'), code: v.picklist(SESSION_ERROR_CODES), message: text, fatal: v.boolean() }),
  pong: v.strictObject({ type: v.literal('pong'), id: count }),
  /** Something the agent should know; it answers nothing (see NOTICE_KINDS). */
  notice: v.strictObject({ type: v.literal('notice'), what: v.picklist(NOTICE_KINDS), message: text }),
  cancel: commandSpecs.cancel.message,
  'deadline:set': commandSpecs['deadline:set'].message,
  'deadline:clear': commandSpecs['deadline:clear'].message,
  stop: commandSpecs.stop.message,
  'loop:control': commandSpecs['loop:control'].message,
  'loop:inspect': commandSpecs['loop:inspect'].message,
  resources: commandSpecs.resources.message,
  'task:timing': commandSpecs['task:timing'].message,
} as const

export type HubMessageType = keyof typeof hubMessageSchemas
export type HubMessage = { [K in HubMessageType]: v.InferOutput<(typeof hubMessageSchemas)[K]> }[HubMessageType]
export type HubMessageOf<K extends HubMessageType> = Extract<HubMessage, { type: K }>
