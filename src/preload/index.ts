// Preload (sandboxed, CommonJS): exposes exactly the shared contract on window.loopwatch — invoke
// for its commands and on() for its events — and nothing of Electron itself. It imports only
// types and two gateway names, so the sandbox needs no npm module; main validates every call.
import { contextBridge, ipcRenderer } from 'electron'
import type { EventName, LoopwatchApi } from '../shared/contract'
import { ELECTRON_EVENT, ELECTRON_INVOKE } from '../shared/wire'

const listeners = new Map<string, Set<(payload: unknown) => void>>()

// The IpcRendererEvent (with its sender) never reaches the page: only the event's payload does.
ipcRenderer.on(ELECTRON_EVENT, (_e, event: unknown, payload: unknown) => {
  if (typeof event !== 'string') return
  for (const listener of listeners.get(event) ?? []) {
    try {
      listener(payload)
    } catch (err) {
      console.error(`loopwatch: a ${event} listener failed`, err)
    }
  }
})

const api = {
  invoke: (channel: unknown, payload?: unknown) => ipcRenderer.invoke(ELECTRON_INVOKE, channel, payload),
  on(event: EventName, listener: (payload: unknown) => void) {
    if (typeof event !== 'string' || typeof listener !== 'function') return () => {}
    let set = listeners.get(event)
    if (!set) listeners.set(event, (set = new Set()))
    set.add(listener)
    return () => void set.delete(listener)
  },
} as LoopwatchApi

contextBridge.exposeInMainWorld('loopwatch', api)
