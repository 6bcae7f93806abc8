// The agent protocol: what a watched process (agent) and the app (hub) say to each other over
// newline-delimited JSON on 127.0.0.1. docs/agent-protocol.md is its prose; these files are its law.
export * from './version'
export * from './framing'
export * from './scalars'
export * from './errors'
export * from './task-delta-schema'
export * from './loop-commands'
export * from './commands'
export * from './agent-messages'
export * from './hub-messages'
export * from './parse'
export * from './discovery'
