import { existsSync, mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { describe, expect, it, vi } from 'vitest'
import { CSV_COLUMNS } from '../../src/main/history/export'
import { ELECTRON_EVENT } from '../../src/shared/wire'
import { expectLockedDown } from '../shared/csp-helper'

// A recording stand-in for Electron: `import 'electron'` cannot run under plain Node.
const h = vi.hoisted(() => {
  type Fn = (...args: unknown[]) => unknown
  const on = () => {
    const handlers = new Map<string, Fn[]>()
    return {
      handlers,
      on(name: string, fn: Fn) {
        handlers.set(name, [...(handlers.get(name) ?? []), fn])
      },
      emit(name: string, ...args: unknown[]) {
        for (const fn of handlers.get(name) ?? []) fn(...args)
      },
    }
  }
  const appEvents = on()
  const state = {
    windows: [] as { options: Record<string, unknown>; events: ReturnType<typeof on>; sent: unknown[][]; url: string }[],
    invoke: null as null | Fn,
    quit: vi.fn(),
    dialogs: [] as unknown[],
    savePath: null as string | null,
    saveDialogs: [] as unknown[],
    dataDir: '',
  }
  class BrowserWindow {
    events = on()
    sent: unknown[][] = []
    url = ''
    webContents = { send: (...a: unknown[]) => this.sent.push(a), getURL: () => this.url }
    constructor(readonly options: Record<string, unknown>) {
      state.windows.push(this as never)
    }
    static getAllWindows = () => state.windows
    on = (n: string, f: Fn) => this.events.on(n, f)
    once = (n: string, f: Fn) => this.events.on(n, f)
    isDestroyed = () => false
    isMinimized = () => false
    restore() {}
    focus = vi.fn()
    loadFile = async (file: string) => {
      this.url = `file://${file}`
    }
    show() {}
  }
  const electron = {
    app: {
      whenReady: () => Promise.resolve(),
      requestSingleInstanceLock: () => true,
      getPath: () => state.dataDir,
      on: appEvents.on,
      quit: state.quit,
      exit: vi.fn(),
    },
    BrowserWindow,
    ipcMain: { handle: (name: string, fn: Fn) => name === 'loopwatch:invoke' && (state.invoke = fn) },
    dialog: {
      showMessageBox: async (...a: unknown[]) => void state.dialogs.push(a),
      showSaveDialog: async (options: unknown) => {
        state.saveDialogs.push(options)
        return state.savePath === null ? { canceled: true } : { canceled: false, filePath: state.savePath }
      },
    },
    session: {
      defaultSession: { setPermissionRequestHandler: vi.fn(), setPermissionCheckHandler: vi.fn(), webRequest: { onHeadersReceived: vi.fn() } },
    },
  }
  return { state, appEvents, electron }
})
vi.mock('electron', () => ({ ...h.electron, default: h.electron }))

const ourUrl = pathToFileURL(resolve('src/renderer/index.html')).href

async function startHost() {
  h.state.dataDir = mkdtempSync(join(tmpdir(), 'lw-electron-'))
  await import('../../src/main/index')
  await vi.waitUntil(() => h.state.windows.length === 1)
  return h.state.windows[0]!
}

describe('Electron host', () => {
  // The host module starts once per file (imports are cached): the tests share one window.
  it('opens one sandboxed, context-isolated window without Node, loading our renderer', async () => {
    const win = await startHost()
    expect(win.options.webPreferences).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true, webviewTag: false, disableBlinkFeatures: 'Auxclick' })
    expect(String((win.options.webPreferences as { preload: string }).preload)).toMatch(/preload[/\\]index\.cjs$/)
    expect(win.url).toBe(ourUrl)
  })

  it('runs commands from our renderer frame and refuses any other sender', async () => {
    await startHost()
    const invoke = h.state.invoke!
    const ours = await invoke({ senderFrame: { url: ourUrl } }, 'daemons:list', undefined)
    expect(ours).toMatchObject({ ok: true })
    const foreign = await invoke({ senderFrame: { url: 'https://evil.example/' } }, 'daemons:list', undefined)
    expect(foreign).toMatchObject({ ok: false, error: { code: 'forbidden' } })
    const bad = await invoke({ senderFrame: { url: ourUrl } }, 'task:cancel', { taskId: 'x' })
    expect(bad).toMatchObject({ ok: false, error: { code: 'bad_request' } })
  })

  it('refuses navigation, redirects, webviews and new windows in every web contents', async () => {
    await startHost()
    const contents = { on: vi.fn(), setWindowOpenHandler: vi.fn() }
    h.appEvents.emit('web-contents-created', {}, contents)
    for (const name of ['will-navigate', 'will-frame-navigate', 'will-redirect', 'will-attach-webview']) {
      const call = contents.on.mock.calls.find((c) => c[0] === name)
      const e = { preventDefault: vi.fn() }
      call![1](e)
      expect(e.preventDefault, name).toHaveBeenCalled()
    }
    expect(contents.setWindowOpenHandler.mock.calls[0]![0]()).toEqual({ action: 'deny' })
  })

  it('denies every permission, whether a page asks for it (request) or only queries it (check)', async () => {
    await startHost()
    const { setPermissionRequestHandler, setPermissionCheckHandler } = h.electron.session.defaultSession
    const request = setPermissionRequestHandler.mock.calls[0]![0] as (wc: unknown, permission: string, callback: (granted: boolean) => void, details: unknown) => void
    const check = setPermissionCheckHandler.mock.calls[0]![0] as (wc: unknown, permission: string, origin: string, details: unknown) => boolean
    for (const permission of ['media', 'notifications', 'clipboard-read', 'geolocation', 'hid', 'fullscreen']) {
      const callback = vi.fn()
      request({}, permission, callback, { requestingUrl: ourUrl })
      expect(callback, permission).toHaveBeenCalledExactlyOnceWith(false)
      expect(check({}, permission, 'file:///', { requestingUrl: ourUrl }), permission).toBe(false)
    }
  })

  it('sends the locked-down CSP (no socket source at all) as a header of every response, keeping the others', async () => {
    await startHost()
    const listener = h.electron.session.defaultSession.webRequest.onHeadersReceived.mock.calls[0]![0] as (
      details: { responseHeaders: Record<string, string[]> },
      callback: (r: { responseHeaders: Record<string, string[]> }) => void,
    ) => void
    const callback = vi.fn()
    listener({ responseHeaders: { 'Content-Type': ['text/html'] } }, callback)
    const headers = callback.mock.calls[0]![0].responseHeaders as Record<string, string[]>
    expect(headers['Content-Type']).toEqual(['text/html'])
    expect(headers['Content-Security-Policy']).toHaveLength(1)
    const d = expectLockedDown(headers['Content-Security-Policy']![0]!)
    expect(d.get('connect-src')).toEqual(["'none'"])
  })

  it('brings the existing window forward when a second instance starts', async () => {
    const win = await startHost()
    h.appEvents.emit('second-instance')
    expect((win as unknown as { focus: ReturnType<typeof vi.fn> }).focus).toHaveBeenCalled()
  })

  it('sends app events to the window through the event gateway', async () => {
    const win = await startHost()
    await h.state.invoke!({ senderFrame: { url: ourUrl } }, 'daemon:start', { id: 'heartbeat', config: { workers: 1, intervalMs: 20 } })
    await vi.waitUntil(() => win.sent.some((s) => s[1] === 'tasks:delta'))
    expect(win.sent.every((s) => s[0] === ELECTRON_EVENT)).toBe(true)
    expect(win.sent.some((s) => s[1] === 'daemons:changed')).toBe(true)
    await h.state.invoke!({ senderFrame: { url: ourUrl } }, 'daemon:stop', { id: 'heartbeat', graceMs: 100 })
  })

  it('asks where to save a run export and streams the CSV into that file; a cancelled dialog writes nothing', async () => {
    await startHost()
    const invoke = h.state.invoke!
    const frame = { senderFrame: { url: ourUrl } }
    const started = (await invoke(frame, 'scenario:start', { id: 'graceful-cancel', clock: 'virtual' })) as { ok: true; value: { runId: number } }
    expect(started).toMatchObject({ ok: true })
    const runId = started.value.runId
    await vi.waitUntil(async () => {
      const got = (await invoke(frame, 'history:get', { runId })) as { ok: boolean; value?: { run: { endedWall: number | null } } }
      return got.ok && got.value!.run.endedWall !== null
    }, { timeout: 10_000 })

    h.state.savePath = join(h.state.dataDir, 'chosen.csv')
    const saved = (await invoke(frame, 'run:export', { runId, format: 'csv' })) as { ok: true; value: { kind: string } }
    expect(saved).toMatchObject({ ok: true, value: { kind: 'saved' } })
    expect((h.state.saveDialogs.at(-1) as { defaultPath: string }).defaultPath).toMatch(new RegExp(`${runId}.*\\.csv$`))
    const csv = readFileSync(h.state.savePath, 'utf8')
    expect(csv.split('\n')[0]).toBe(CSV_COLUMNS.join(','))
    expect(csv).toContain('db_operation')

    h.state.savePath = null
    const before = h.state.saveDialogs.length
    const cancelled = await invoke(frame, 'run:export', { runId, format: 'json' })
    expect(cancelled).toMatchObject({ ok: true, value: { kind: 'cancelled' } })
    expect(h.state.saveDialogs.length).toBe(before + 1)
    expect(existsSync(join(h.state.dataDir, 'chosen.json'))).toBe(false)
  })

  it('on closing the window it shuts down gracefully first, shows the report, then quits', async () => {
    const win = await startHost()
    await h.state.invoke!({ senderFrame: { url: ourUrl } }, 'daemon:start', { id: 'heartbeat', config: { workers: 2, intervalMs: 20 } })
    const close = { preventDefault: vi.fn() }
    win.events.emit('close', close)
    expect(close.preventDefault).toHaveBeenCalled()
    await vi.waitUntil(() => h.state.quit.mock.calls.length > 0, { timeout: 8000 })
    expect(h.state.dialogs).toHaveLength(1)
    const detail = (h.state.dialogs[0] as [unknown, { detail: string }])[1].detail
    expect(detail).toMatch(/2 tasks finished cleanly, 0 forced/)
    // Once done, a second close goes through.
    const again = { preventDefault: vi.fn() }
    win.events.emit('close', again)
    expect(again.preventDefault).not.toHaveBeenCalled()
  })
})
