// The renderer's Content-Security-Policy, used by Electron (response header) and browser mode.
// No remote content: scripts, styles, images, fonts and connections stay on the app's origin;
// 'unsafe-inline' styles are needed by Leaflet's and Mantine's style attributes.
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob: griddesk-tiles:",
  "font-src 'self' data:",
  // griddesk-tiles: the local basemap's vector tiles, which the map fetches (raster ones load as images).
  "connect-src 'self' griddesk-tiles:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ')
