// A process connected through the agent protocol, as a person sees it: a fake agent (a real
// AgentConnection in the test process, found through the host's agent.json) sends a loop and a
// few tasks; the window lists it under Sources and in the scope picker, cancels a task in it, and
// shows it lost — its tasks stale — when its connection drops without a goodbye.
import type { Socket } from 'node:net'
import { connect } from 'node:net'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { AgentConnection, CommandFailure, hubLocator } from '../src/agent/index'
import type { CommandMessage } from '../src/shared/agent-protocol/index'
import type { TaskSnapshot } from '../src/shared/snapshots'
import { expect, test } from './fixtures/index'
import { ui } from './ui'

function task(id: number, name: string, fields: Partial<TaskSnapshot> = {}): TaskSnapshot {
  const wall = Date.now()
  return {
    id,
    loop: 'main',
    runId: null,
    name,
    parentId: null,
    state: 'waiting',
    createdAt: { loop: 0, wall },
    startedAt: { loop: 0, wall },
    endedAt: null,
    awaiting: { kind: 'sleep', text: 'sleep 5.0 s', taskId: null },
    cancel: null,
    deadline: null,
    error: null,
    logCount: 0,
    ...fields,
  }
}

test('a connected process: its tasks under its source, a cancel routed to it, then lost and stale', async ({ app, page, saveScreenshot }) => {
  test.skip(app.kind !== 'web', 'the fake agent reads agent.json from the browser host’s data dir')
  const u = ui(page)
  await expect(u.sources).toContainText('No process connected')
  await expect.poll(() => existsSync(join(app.dataDir, 'agent.json'))).toBe(true)

  const commands: CommandMessage[] = []
  const tasks = new Map<number, TaskSnapshot>([
    [1, task(1, 'poller')],
    [2, task(2, 'fetcher', { state: 'running', awaiting: null })],
    [3, task(3, 'fetch-page', { parentId: 2 })],
  ])
  let seq = 0
  let socket: Socket | null = null
  let dropped = false
  const conn = new AgentConnection({
    identity: { name: 'fake-service', pid: 4242, runtime: { kind: 'node', version: '22.0.0' }, clock: { kind: 'real' } },
    // After the drop the hub is "unreachable", so the connection does not come back on its own.
    locate: () => (dropped ? { ok: false, message: 'dropped by the test' } : hubLocator({ dataDir: app.dataDir, env: {} })()),
    connect: (address) => (socket = connect({ host: address.host, port: address.port })),
    onCommand: (c) => {
      // Its scope's loop controls, the Resources poll and the details' step timing ask; this fake
      // has none of them (as an agent of an older protocol: the app asks it no more).
      if (c.type === 'loop:inspect' || c.type === 'resources' || c.type === 'task:timing') throw new CommandFailure('unknown_command', 'this fake has no loop commands nor step timing')
      commands.push(c)
      if (c.type !== 'cancel') throw new Error(`unexpected ${c.type}`)
      const t = tasks.get(c.taskId)!
      const at = { loop: 40, wall: Date.now() }
      const cancelling: TaskSnapshot = { ...t, state: 'cancelling', cancel: { source: 'user', reason: c.reason, at } }
      // The program's cleanup runs, then the task ends cancelled (a later delta, as a real loop sends).
      setTimeout(() => {
        const ended: TaskSnapshot = { ...cancelling, state: 'cancelled', awaiting: null, endedAt: { loop: 41, wall: Date.now() }, logCount: 1 }
        tasks.set(t.id, ended)
        conn.send({ type: 'tasks:delta', delta: { seq: ++seq, created: [], changed: [], ended: [ended], removed: [], logs: [{ seq: 1, loop: 'main', runId: null, taskId: t.id, taskName: t.name, t: 41, wall: Date.now(), stream: 'stdout', line: `${t.name}: cleaned up` }], clocks: [] } })
      }, 50)
      return cancelling
    },
    backoff: { initialMs: 50, maxMs: 200 },
  })
  try {
    conn.start()
    await expect.poll(() => conn.status.state).toBe('connected')
    const sourceId = conn.sourceId!
    conn.send({ type: 'loop:added', loop: 'main', clock: { kind: 'real' } })
    conn.send({ type: 'tasks:delta', delta: { seq: ++seq, created: [...tasks.values()], changed: [], ended: [], removed: [], logs: [], clocks: [{ loop: 'main', now: 0, wall: Date.now(), rate: 1 }] } })

    // The rail lists it; the scope picker groups it source → loop; the table names its loop.
    const item = u.source(sourceId)
    await expect(item).toContainText('fake-service')
    await expect(item).toContainText('connected')
    await expect(item).toContainText('pid 4242')
    await expect(item).toContainText('real')
    await expect(item).toContainText('3 tasks')
    await expect(item.locator('.s-role')).toHaveText('service') // its hello said no role: a service
    await expect(u.scopePicker.locator('optgroup[label^="fake-service · pid 4242"] option')).toHaveText(['fake-service: every loop', 'fake-service › main'])
    await item.getByRole('button', { name: 'fake-service', exact: true }).click()
    await expect(u.scopePicker).toHaveValue(`source:${sourceId}`)
    for (const name of ['poller', 'fetcher', 'fetch-page']) await expect(u.row(name)).toBeVisible()
    await expect(u.grid.getByRole('row')).toHaveCount(4) // the header and its three tasks: nothing of this app's own loops
    await saveScreenshot('source-connected')

    // Cancel from the window: the command reaches the agent with the reason.
    const poller = u.row('poller')
    await poller.click()
    // The details show the process's own id (its task 1), not the app-wide one.
    await expect(u.details.locator('.meta')).toHaveText(/^#1 · /)
    await page.keyboard.press('c')
    await page.keyboard.type('from the e2e window')
    await u.details.getByRole('button', { name: 'Cancel', exact: true }).click()
    await expect(u.stateOf(poller)).toHaveText(/cancelled/)
    await expect(u.cancelSourceOf(poller)).toHaveText('user')
    expect(commands).toMatchObject([{ type: 'cancel', taskId: 1, reason: 'from the e2e window' }])
    await expect(u.stateOf(u.row('fetcher'))).toHaveText(/running/)

    // The connection drops without a bye: the source is lost, its tasks stay, marked stale.
    dropped = true
    ;(socket as Socket | null)?.destroy()
    await expect(item).toContainText('lost — stale')
    await expect(item.getByRole('button', { name: 'Stop fake-service' })).toHaveCount(0)
    for (const name of ['poller', 'fetcher', 'fetch-page']) {
      await expect(u.row(name)).toHaveAttribute('data-stale', 'true')
      await expect(u.row(name)).toContainText('stale')
    }
    await expect(u.stateOf(u.row('fetcher'))).toHaveText(/running/) // its last known state
    // …which runs nowhere now: the top bar does not count it.
    await expect(page.getByRole('button', { name: /running/ })).toHaveText(/0 running/)
    const shot = await saveScreenshot('source-lost-stale')
    expect(existsSync(shot)).toBe(true)
  } finally {
    await conn.close({ code: 0, reason: 'test over' }, 200)
  }
})

test('Stop in the Sources list stops the process through its agent; the rail says how it ended, it exits and its run is in the history', async ({ app, page, saveScreenshot }) => {
  test.skip(app.kind !== 'web', 'the fake agent reads agent.json from the browser host’s data dir')
  const u = ui(page)
  const commands: CommandMessage[] = []
  const conn: AgentConnection = new AgentConnection({
    identity: { name: 'stoppable-job', pid: 5151, runtime: { kind: 'node', version: '22.0.0' }, clock: { kind: 'scaled', rate: 10 } },
    locate: hubLocator({ dataDir: app.dataDir, env: {} }),
    onCommand: (c) => {
      if (c.type === 'loop:inspect' || c.type === 'resources') throw new CommandFailure('unknown_command', 'this fake has no loop commands')
      commands.push(c)
      // A real agent shuts its loops down, answers the report, then says bye with the exit status.
      setTimeout(() => void conn.close({ code: 0, reason: 'stopped from the app' }), 50)
      return { graceMs: c.type === 'stop' ? c.graceMs : 0, elapsedMs: 3, finished: [{ id: 1, name: 'crunch', state: 'cancelled' }], forced: [], cleanupErrors: [] }
    },
  })
  try {
    conn.start()
    await expect.poll(() => conn.status.state).toBe('connected')
    const sourceId = conn.sourceId!
    conn.send({ type: 'loop:added', loop: 'main', clock: { kind: 'scaled', rate: 10 } })
    conn.send({ type: 'tasks:delta', delta: { seq: 1, created: [task(1, 'crunch', { state: 'running', awaiting: null })], changed: [], ended: [], removed: [], logs: [], clocks: [] } })
    const item = u.source(sourceId)
    await expect(item).toContainText('10×')
    await item.getByRole('button', { name: 'Stop stoppable-job' }).click()
    await expect(item).toContainText('exited (code 0)')
    // How the stop ended stays beside it for a moment, through the exit that followed.
    await expect(item.getByRole('status')).toHaveText('stopped gracefully (1 task)')
    expect(commands).toMatchObject([{ type: 'stop', graceMs: 2000 }])
    await expect(page.getByRole('button', { name: /running/ })).toHaveText(/0 running/) // its task runs nowhere now
    await expect(page.getByRole('region', { name: 'History' })).toContainText('agent:stoppable-job')
    await saveScreenshot('source-exited')
  } finally {
    await conn.close({ code: 0, reason: 'test over' }, 200)
  }
})

test('the app’s graceful shutdown stops a child program and leaves a service running, unless asked', async ({ app, page, saveScreenshot }) => {
  test.skip(app.kind !== 'web', 'the fake agents read agent.json from the browser host’s data dir')
  const u = ui(page)
  const got: Record<string, string[]> = { child: [], service: [] }
  const agent = (name: string, role: 'child' | 'service', pid: number) => {
    const conn: AgentConnection = new AgentConnection({
      identity: { name, pid, runtime: { kind: 'node', version: '22.0.0' }, clock: { kind: 'real' }, role },
      locate: hubLocator({ dataDir: app.dataDir, env: {} }),
      onNotice: (n) => got[role]!.push(`notice ${n.what}`),
      onCommand: (c) => {
        got[role]!.push(c.type)
        setTimeout(() => void conn.close({ code: 0, reason: 'stopped from the app' }), 50)
        return { graceMs: c.type === 'stop' ? c.graceMs : 0, elapsedMs: 3, finished: [{ id: 1, name: 'main', state: 'cancelled' }], forced: [], cleanupErrors: [] }
      },
    })
    conn.start()
    return conn
  }
  const child = agent('my-program.ts', 'child', 6001)
  const service = agent('billing-service', 'service', 6002)
  try {
    await expect.poll(() => [child.status.state, service.status.state]).toEqual(['connected', 'connected'])
    const [childItem, serviceItem] = [u.source(child.sourceId!), u.source(service.sourceId!)]
    await expect(childItem.locator('.s-role')).toHaveText('child')
    await expect(serviceItem.locator('.s-role')).toHaveText('service')
    await page.getByRole('button', { name: 'Shut down gracefully' }).click()
    const dialog = page.getByRole('dialog')
    await expect(dialog.getByRole('checkbox', { name: /Also stop 1 service \(billing-service\)/ })).not.toBeChecked()
    await saveScreenshot('shutdown-confirm-services')
    await dialog.getByRole('button', { name: 'Shut down', exact: true }).click()
    const left = dialog.getByRole('region', { name: 'Left running' })
    await expect(left).toContainText('billing-service (pid 6002)')
    await expect(dialog.getByRole('region', { name: 'my-program.ts (pid 6001)' })).toContainText('Finished (1)')
    await saveScreenshot('shutdown-report-left-running')
    expect(got).toEqual({ child: ['stop'], service: ['notice app-closing'] })
    await expect(childItem).toContainText('exited (code 0)')
    await expect(serviceItem).toContainText('connected')
  } finally {
    await Promise.all([child.close({ code: 0, reason: 'test over' }, 200), service.close({ code: 0, reason: 'test over' }, 200)])
  }
})
