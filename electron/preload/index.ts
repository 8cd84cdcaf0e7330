// The bridge (STYLE.md rule 6): exposes window.griddesk.call(name, input) and nothing else.
// Main validates the sender and the input of every call.
import { contextBridge, ipcRenderer } from 'electron'

contextBridge.exposeInMainWorld('griddesk', {
  call: (name: string, input: unknown, lang?: string) => ipcRenderer.invoke('griddesk:call', { name, input, lang }),
  pickFolder: () => ipcRenderer.invoke('griddesk:pickFolder'),
  pickImportFile: (kind: string) => ipcRenderer.invoke('griddesk:pickImportFile', kind),
})
