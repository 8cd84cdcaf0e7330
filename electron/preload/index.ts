// The bridge: window.griddesk exposes call(name, input, lang) — the handler table — and the three
// native choosers (a folder for saved reports, a file for imports, a file to export a report to). Nothing else reaches the page;
// main validates the sender and the input of every call.
import { contextBridge, ipcRenderer } from 'electron'

contextBridge.exposeInMainWorld('griddesk', {
  call: (name: string, input: unknown, lang?: string) => ipcRenderer.invoke('griddesk:call', { name, input, lang }),
  pickFolder: () => ipcRenderer.invoke('griddesk:pickFolder'),
  pickImportFile: (kind: string) => ipcRenderer.invoke('griddesk:pickImportFile', kind),
  pickSaveFile: (fileName: string) => ipcRenderer.invoke('griddesk:pickSaveFile', fileName),
})
