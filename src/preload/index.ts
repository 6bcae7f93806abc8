// Preload: placeholder until the monitor app issue exposes the IPC contract.
import { contextBridge } from 'electron'

contextBridge.exposeInMainWorld('loopwatch', {})
