// as: renderer/src/map/Fixture.tsx
// Every call below hands Leaflet a string it would render as HTML: the markup rule must flag each
// (markup.test.ts counts them).
import type { CircleMarker, Popup } from 'leaflet'

export function label(dot: CircleMarker, popup: Popup, name: string) {
  dot.bindTooltip(`<b>${name}</b>`)
  dot.bindPopup('<em>fixed</em>')
  popup.setContent('<p>' + name + '</p>')
  dot.bindTooltip(name + ' (A)')
}
