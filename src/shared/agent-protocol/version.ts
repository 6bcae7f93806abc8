// The agent protocol's version. No Node or DOM imports in this folder: the hub (Node), the Node
// agent and any test read the same files; a Python agent follows docs/agent-protocol.md.

/**
 * The one protocol version this build speaks. The hub accepts exactly this version and refuses any
 * other with `version_mismatch`, naming both. Bump it for any change an old peer would misread
 * (a field removed, renamed or retyped, a bound tightened, a required field added); a new optional
 * field or a new message an old peer never receives does not need a bump.
 */
export const AGENT_PROTOCOL_VERSION = 1
