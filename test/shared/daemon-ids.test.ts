// The daemon ids are written once (shared/snapshots.ts); the contract's picklist, the daemons'
// definitions and every type are derived from that list. tsc checks the type-level lines.
import { describe, expect, expectTypeOf, it } from 'vitest'
import * as v from 'valibot'
import { DAEMON_IDS as daemonsHostIds } from '../../src/main/daemons'
import { definitions } from '../../src/main/daemons/definitions'
import { commands } from '../../src/shared/contract'
import type { ParsedPayloadOf } from '../../src/shared/contract'
import { DAEMON_IDS } from '../../src/shared/snapshots'
import type { DaemonId, DaemonInfo, DaemonStopReport } from '../../src/shared/snapshots'

describe('the daemon-id union', () => {
  it('is one list: the daemons host, its definitions and the contract all use it', () => {
    expect(daemonsHostIds).toBe(DAEMON_IDS)
    expect(Object.keys(definitions)).toEqual([...DAEMON_IDS])
    for (const channel of ['daemon:start', 'daemon:stop'] as const) {
      expect(commands[channel].payload.entries.id.options).toBe(DAEMON_IDS)
    }
  })

  it('types are derived from it, and the contract parses exactly its members', () => {
    expectTypeOf<DaemonId>().toEqualTypeOf<(typeof DAEMON_IDS)[number]>()
    expectTypeOf<DaemonId>().toEqualTypeOf<'stats' | 'heartbeat' | 'jobs'>()
    expectTypeOf<ParsedPayloadOf<'daemon:start'>['id']>().toEqualTypeOf<DaemonId>()
    expectTypeOf<ParsedPayloadOf<'daemon:stop'>['id']>().toEqualTypeOf<DaemonId>()
    expectTypeOf<keyof typeof definitions>().toEqualTypeOf<DaemonId>()
    expectTypeOf<DaemonInfo['id']>().toEqualTypeOf<DaemonId>()
    expectTypeOf<DaemonStopReport['id']>().toEqualTypeOf<DaemonId>()

    const schema = commands['daemon:start'].payload
    for (const id of DAEMON_IDS) expect(v.safeParse(schema, { id }).success).toBe(true)
    expect(v.safeParse(schema, { id: 'nope' }).success).toBe(false)
  })
})
