// A raw agent over Redis for the abuse tests: writes any entry onto its up stream (signed or not),
// announces itself on discovery, and reads the hub's lines for its connection from its down stream.
import { Redis } from 'ioredis'
import { AGENT_PROTOCOL_VERSION } from '../../src/shared/agent-protocol/index'
import type { HubMessage } from '../../src/shared/agent-protocol/index'
import { DISCOVERY_STREAM, downStream, entryFields, helloToken, signEntry, upStream } from '../../src/main/hub/redis-wire'

export class RawRedisAgent {
  seq = 0
  readonly connection = `raw${Math.random().toString(36).slice(2, 10)}`
  constructor(
    readonly redis: Redis,
    readonly key: string,
    readonly secret: string,
  ) {}

  /** One signed entry of this connection holding `line`; returns its stream id. */
  async line(line: string, seq = this.seq++): Promise<string> {
    const sig = signEntry(this.secret, 'up', this.key, this.connection, seq, line)
    return (await this.redis.xadd(upStream(this.key), '*', 'c', this.connection, 'n', String(seq), 'm', line, 'h', sig)) as string
  }

  /** Any fields at all onto the up stream. */
  async raw(...fields: string[]): Promise<void> {
    await this.redis.xadd(upStream(this.key), '*', ...fields)
  }

  /** A hello (with the secret's token for this key) and its discovery entry. */
  async hello(name = this.key, instance = this.connection): Promise<void> {
    const at = await this.line(
      JSON.stringify({ type: 'hello', protocol: AGENT_PROTOCOL_VERSION, token: helloToken(this.secret, this.key), name, pid: 1, runtime: { kind: 'node', version: '22' }, clock: { kind: 'real' }, instance }),
    )
    await this.redis.xadd(DISCOVERY_STREAM, '*', 'k', this.key, 'c', this.connection, 'at', at, 'h', signEntry(this.secret, 'discovery', this.key, this.connection, 0, at))
  }

  /** The hub's lines to this connection so far (signature checked). */
  async down(): Promise<HubMessage[]> {
    const entries = (await this.redis.xrange(downStream(this.key), '-', '+')) as [string, string[]][]
    const out: HubMessage[] = []
    for (const [, flat] of entries) {
      const f = entryFields(flat)!
      if (f.get('c') !== this.connection) continue
      const m = f.get('m')!
      if (f.get('h') !== signEntry(this.secret, 'down', this.key, this.connection, Number(f.get('n')), m)) throw new Error('a down entry with a bad signature')
      out.push(JSON.parse(m) as HubMessage)
    }
    return out
  }
}
