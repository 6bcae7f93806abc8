// The agent side: what a watched process uses to reach the app, and watch() built on it.
export { AgentConnection, CommandFailure, DEFAULT_BACKOFF, DEFAULT_BUFFER } from './connection'
export type { AgentIdentity, ConnectionOptions, ConnectionStatus } from './connection'
export { hubLocator, readAgentFile } from './find-hub'
export type { HubLocation, LocateOptions } from './find-hub'
export { OutboundBuffer } from './outbound-buffer'
export { watch } from './watch'
export type { WatchOptions, Watcher } from './watch'
export { splitDelta, clipSnapshot } from './split-delta'
