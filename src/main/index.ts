// Electron host: a window on the shared app core. Thin on purpose — everything that can be tested
// without Electron lives in app/, ipc/ and monitor/.
import { app, BrowserWindow, dialog, ipcMain, session } from 'electron'
import { join } from 'node:path'
import type { Result } from '../shared/contract'
import { ELECTRON_EVENT, ELECTRON_INVOKE } from '../shared/wire'
import { AppCore } from './app/app-core'
import { formatShutdownReport } from './app/app-shutdown'
import { parseHostArgs } from './app/host-args'
import { isOwnRenderer } from './app/renderer-origin'
import { contentSecurityPolicy } from './host-web/security'
import { createHandlers, dispatch } from './ipc/index'

const rendererIndex = join(import.meta.dirname, '../renderer/index.html')
const forbidden: Result<never> = { ok: false, error: { code: 'forbidden', message: 'IPC is only accepted from the Loopwatch window' } }

/** Refuses everything a page could use to leave our renderer or open another one. */
function lockDown(): void {
  app.on('web-contents-created', (_e, contents) => {
    contents.on('will-navigate', (e) => e.preventDefault())
    contents.on('will-redirect', (e) => e.preventDefault())
    contents.on('will-attach-webview', (e) => e.preventDefault())
    contents.setWindowOpenHandler(() => ({ action: 'deny' }))
  })
  session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false))
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [contentSecurityPolicy(null)] } })
  })
}

function createWindow(): BrowserWindow {
  const win = new BrowserWindow({
    width: 1440,
    height: 900,
    minWidth: 900,
    minHeight: 600,
    title: 'Loopwatch',
    show: false,
    webPreferences: {
      preload: join(import.meta.dirname, '../preload/index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      webviewTag: false,
      spellcheck: false,
    },
  })
  win.once('ready-to-show', () => win.show())
  void win.loadFile(rendererIndex)
  return win
}

async function main(): Promise<void> {
  const args = parseHostArgs(process.argv.slice(1))
  // One window per user: a second start would open the same history database and scheduler twice.
  if (!app.requestSingleInstanceLock()) return app.quit()
  await app.whenReady()
  lockDown()
  const core = new AppCore({ dataDir: args.dataDir ?? app.getPath('userData'), host: 'electron', daemonRate: args.daemonRate })
  const handlers = createHandlers(core)
  // One gateway: dispatch checks the channel against the contract and validates the payload.
  ipcMain.handle(ELECTRON_INVOKE, (event, channel: unknown, payload: unknown) =>
    isOwnRenderer(event.senderFrame?.url, rendererIndex) ? dispatch(handlers, channel, payload) : forbidden,
  )
  core.events.subscribe((event, payload) => {
    for (const win of BrowserWindow.getAllWindows()) {
      if (!win.isDestroyed() && isOwnRenderer(win.webContents.getURL(), rendererIndex)) win.webContents.send(ELECTRON_EVENT, event, payload)
    }
  })

  const win = createWindow()
  app.on('second-instance', () => {
    if (win.isMinimized()) win.restore()
    win.focus()
  })
  // Quitting (closing the window, Cmd-Q, the OS) first shuts the scheduler down gracefully while
  // the window still shows its progress, then shows the report, then really quits.
  let quit: 'no' | 'running' | 'done' = 'no'
  const quitGracefully = async () => {
    quit = 'running'
    const report = await core.close(args.graceMs).catch((e: unknown) => {
      console.error('loopwatch: shutdown failed:', e)
      return null
    })
    if (report && report.parts.length > 0) {
      const options = { type: 'info' as const, title: 'Loopwatch', message: 'Graceful shutdown finished', detail: formatShutdownReport(report), buttons: ['Quit'] }
      await (win.isDestroyed() ? dialog.showMessageBox(options) : dialog.showMessageBox(win, options))
    }
    quit = 'done'
    app.quit()
  }
  const intercept = (e: { preventDefault(): void }) => {
    if (quit === 'done') return
    e.preventDefault()
    if (quit === 'no') void quitGracefully()
  }
  win.on('close', intercept)
  app.on('before-quit', intercept)
  app.on('window-all-closed', () => app.quit())
}

main().catch((e: unknown) => {
  console.error('loopwatch: could not start:', e)
  app.exit(1)
})
