// The Python agent has no loop commands (it answers them unknown_command): a real CPython program's loop
// answers the window's loop controls `unsupported` at once, and loop:resources leaves it out.
import { describe, expect, it } from 'vitest'
import { appUrl } from '../../src/shared/agent-protocol/index'
import { ExternalSources } from '../../src/main/sources/external-sources'
import { LoopControls } from '../../src/main/app/loop-controls'
import { allLoopResources } from '../../src/main/ipc/resources-handler'
import { TaskMonitor } from '../../src/main/monitor/index'
import { eventually, startHub } from '../hub/hub-helper'
import { DEBIAN_PYTHON, missingModules, spawnProgram } from './python-helper'

const PROGRAM = `import asyncio

async def main():
    lock = asyncio.Lock()
    await lock.acquire()
    await asyncio.create_task(asyncio.sleep(3600), name="sleeper")

asyncio.run(main())
`

describe.skipIf(missingModules(DEBIAN_PYTHON, []) !== null)('loop commands to the Python agent', () => {
  it('answers unsupported for loop:control and loop:inspect; its resources are left out', { timeout: 30_000 }, async () => {
    const hub = await startHub()
    const sources = new ExternalSources({ emit: () => {}, onSources: () => {} })
    sources.attach(hub)
    const child = await spawnProgram('service.py', PROGRAM, ['--app', appUrl(hub)])
    await eventually(() => hub.tasks('agent-1').some((t) => t.task.name === 'sleeper') && (hub.source('agent-1')?.loops.length ?? 0) > 0, 20_000)
    const loopId = `agent-1/${hub.source('agent-1')!.loops[0]!.label}`
    const monitor = new TaskMonitor({ emit: () => {} })
    const controls = new LoopControls(monitor, sources)
    const asked = Date.now()
    await expect(controls.control({ loopId, action: 'pause' })).rejects.toMatchObject({ code: 'unsupported', message: expect.stringContaining('python agent has no loop controls') })
    await expect(controls.inspect(loopId)).rejects.toMatchObject({ code: 'unsupported' })
    expect((await allLoopResources(monitor, sources, null)).loops).toEqual([])
    // Answered without asking the process (an older agent never answered: the 5 s command timeout).
    expect(Date.now() - asked).toBeLessThan(4_000)
    // It was not harmed: still connected, its task still waiting.
    expect(hub.source('agent-1')).toMatchObject({ state: 'connected', errors: 0 })
    monitor.dispose()
  })
})
