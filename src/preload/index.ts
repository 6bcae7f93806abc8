// Preload (sandboxed, CommonJS): exposes exactly the shared contract on window.loopwatch — one
// invoke for the contract's channels and one on() for its events, nothing of Electron itself.
import { contextBridge, ipcRenderer } from 'electron'
import type { IpcRendererEvent } from 'electron'
import { isChannel, isEventName } from '../shared/contract'
import type { LoopwatchApi, Result } from '../shared/contract'

const api: LoopwatchApi = {
  invoke(channel: string, payload?: unknown) {
    if (!isChannel(channel)) {
      return Promise.resolve({ ok: false, error: { code: 'unknown_channel', message: `unknown channel ${JSON.stringify(String(channel).slice(0, 100))}` } } satisfies Result<never>)
    }
    return ipcRenderer.invoke(channel, payload)
  },
  on(event: string, listener: (payload: unknown) => void) {
    if (!isEventName(event) || typeof listener !== 'function') return () => {}
    // The IpcRendererEvent (with its sender) never reaches the page: only the payload does.
    const wrapped = (_e: IpcRendererEvent, payload: unknown) => listener(payload)
    ipcRenderer.on(event, wrapped)
    return () => void ipcRenderer.removeListener(event, wrapped)
  },
} as LoopwatchApi

contextBridge.exposeInMainWorld('loopwatch', api)
