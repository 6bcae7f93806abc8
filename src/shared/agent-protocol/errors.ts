// Every code the hub puts on the wire, written once; the types derive from these lists.

/** Why a handshake was refused (`refused`, then the hub closes the connection). */
export const REFUSAL_CODES = [
  /** The hello's protocol is not this hub's; the message names both versions. */
  'version_mismatch',
  /** The token is missing or is not this hub start's (agent.json is rewritten at every start). */
  'bad_token',
  /** The first line was not a valid hello. */
  'bad_hello',
  /** No hello arrived in time. */
  'hello_timeout',
  /** The hub holds as many connected sources as it accepts. */
  'too_many_sources',
  /** The hub is shutting down. */
  'hub_closing',
  /** The first line was longer than a hello may be. */
  'line_too_long',
] as const
export type RefusalCode = (typeof REFUSAL_CODES)[number]

/** Errors after the handshake (`error`). A `fatal` one is followed by the hub closing the connection. */
export const SESSION_ERROR_CODES = [
  /** The line is not JSON, or not a JSON object. */
  'bad_json',
  /** The message failed its schema (the message says where). */
  'bad_message',
  /** A delta, log or segment names a task id this source never created. */
  'unknown_task',
  /** A task or a clock names a loop this source never announced with `loop:added`. */
  'unknown_loop',
  /** A result answers a command id the hub is not waiting for. */
  'unknown_command',
  /** The source already holds as many tasks (or loops) as the hub keeps per source. */
  'too_many_tasks',
  'too_many_loops',
  /** Over the inbound budget: messages are being discarded unread (the message says how many). */
  'rate_limited',
  /** Fatal: a line grew past the maximum; it was not buffered. */
  'line_too_long',
  /** Fatal: too many bad messages on this connection. */
  'too_many_errors',
  /** Fatal: the agent kept sending far over its budget. */
  'flood',
  /** Fatal: the hub is shutting down. */
  'hub_closing',
] as const
export type SessionErrorCode = (typeof SESSION_ERROR_CODES)[number]

/** Why `sendCommand` could not get an answer from the agent (the agent's own codes pass through). */
export const COMMAND_ERROR_CODES = [
  /** No source has this id (never had, or it was evicted). */
  'unknown_source',
  /** The source is not connected (lost or exited), or its connection ended before it answered. */
  'source_gone',
  /** The source never created this task (or the hub no longer keeps it). */
  'unknown_task',
  /** The command failed its schema. */
  'bad_command',
  /** The agent's answer failed the command's result schema. */
  'bad_result',
  /** The agent did not answer within the timeout. */
  'command_timeout',
  /** Too many commands to this source are awaiting an answer. */
  'too_many_pending',
] as const
export type CommandErrorCode = (typeof COMMAND_ERROR_CODES)[number]
