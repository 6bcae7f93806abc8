// Electron host: a window on the shared app core. Thin on purpose — everything that can be tested
// without Electron lives in app/, ipc/ and monitor/.
import { app, BrowserWindow, dialog, ipcMain, session } from 'electron'
import { join } from 'node:path'
import type { Result } from '../shared/contract'
import { contentSecurityPolicy } from '../shared/csp'
import { ELECTRON_EVENT, ELECTRON_INVOKE } from '../shared/wire'
import { AppCore } from './app/app-core'
import { formatShutdownReport } from './app/app-shutdown'
import { parseHostArgs } from './app/host-args'
import { isOwnRenderer } from './app/renderer-origin'
import { createHandlers, dispatch } from './ipc/index'

const rendererIndex = join(import.meta.dirname, '../renderer/index.html')
const forbidden: Result<never> = { ok: false, error: { code: 'forbidden', message: 'IPC is only accepted from the Loopwatch window' } }

/** Refuses everything a page could use to leave our renderer, open another one or reach a device. */
function lockDown(): void {
  app.on('web-contents-created', (_e, contents) => {
    contents.on('will-navigate', (e) => e.preventDefault())
    // will-navigate sees the main frame only; an iframe (were one ever injected) navigates here.
    contents.on('will-frame-navigate', (e) => e.preventDefault())
    contents.on('will-redirect', (e) => e.preventDefault())
    contents.on('will-attach-webview', (e) => e.preventDefault())
    contents.setWindowOpenHandler(() => ({ action: 'deny' }))
  })
  // The app needs no camera, notification, clipboard, HID… : ask (request) and query (check) both say no.
  session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false))
  session.defaultSession.setPermissionCheckHandler(() => false)
  const csp = contentSecurityPolicy({ kind: 'electron' })
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    // The policy comes from src/shared/csp.ts (one function for both hosts and the meta tag), which
    // electronegativity's static CSP check cannot evaluate; test/ipc/electron-host.test.ts checks the
    // header this sends, directive by directive.
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [csp] } }) // eng-disable CSP_GLOBAL_CHECK
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
      // The preload exposes exactly the contract (invoke + on) through contextBridge and nothing of
      // Electron; test/ipc/preload.test.ts pins that surface. Reviewed, so the manual-review check is off here.
      preload: join(import.meta.dirname, '../preload/index.cjs'), // eng-disable PRELOAD_JS_CHECK
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      webviewTag: false,
      spellcheck: false,
      // No middle-click (auxclick) handling: one way fewer for a link to reach a new window.
      disableBlinkFeatures: 'Auxclick',
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
  // Exports stream straight into the file the person picks: never one string in main or the page.
  handlers['run:export'] = ({ runId, format }) =>
    core.exportRunToChosenFile(runId, format, async (filename) => {
      const r = await dialog.showSaveDialog({ defaultPath: join(app.getPath('downloads'), filename) })
      return r.canceled || !r.filePath ? null : r.filePath
    })
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
