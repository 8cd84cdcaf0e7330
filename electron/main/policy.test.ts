// The window's rules, tested without Electron: which URLs are the app, which links may leave it,
// the headers on every app:// response, and the fuses the packaged binary is built with.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { CONTENT_SECURITY_POLICY } from '../../shared/csp'
import { REPO_ROOT } from '../core/resources'
import { isAppUrl, keychainWarning, mayOpenExternally, tileCorsOrigin, withAppHeaders } from './policy'

describe('electron main policy', () => {
  it('trusts the app origin, and the dev server by its exact origin only when unpackaged', () => {
    const packaged = { packaged: true, devUrl: 'http://localhost:5173' }
    const dev = { packaged: false, devUrl: 'http://localhost:5173/' }
    expect(isAppUrl('app://griddesk/index.html', packaged)).toBe(true)
    expect(isAppUrl('app://griddesk/#/map', packaged)).toBe(true)
    for (const url of [
      'app://griddesk.evil/index.html',
      'app://evil/griddesk',
      'app://user@griddesk/',
      'file:///tmp/index.html',
      'http://localhost:5173/',
      undefined,
      '',
      'not a url',
    ])
      expect(isAppUrl(url, packaged), String(url)).toBe(false)
    expect(isAppUrl('http://localhost:5173/index.html', dev)).toBe(true)
    // A prefix is not the origin: another port, a host that starts the same, userinfo tricks.
    for (const url of [
      'http://localhost:51730/',
      'http://localhost:5173.evil.example/',
      'http://localhost:5173@evil.example/',
      'https://localhost:5173/',
      'http://127.0.0.1:5173/',
    ])
      expect(isAppUrl(url, dev), url).toBe(false)
    expect(isAppUrl('http://localhost:5173/', { packaged: false })).toBe(false)
  })

  it('opens no link outside the app unless its host is on the list, and then only over https', () => {
    for (const url of ['https://example.com/', 'http://example.com/', 'javascript:alert(1)', 'file:///etc/passwd', 'ms-msdt:/id', 'app://griddesk/'])
      expect(mayOpenExternally(url), url).toBe(false)
    const hosts = ['www.example.cn']
    expect(mayOpenExternally('https://www.example.cn/help', hosts)).toBe(true)
    for (const url of [
      'http://www.example.cn/help',
      'https://www.example.cn.evil.example/',
      'https://user@www.example.cn/',
      'https://www.example.cn:8443/',
      'https://evil.example/?www.example.cn',
    ])
      expect(mayOpenExternally(url, hosts), url).toBe(false)
  })

  it("lets the app's own page, and no other, read basemap tiles across origins", () => {
    const packaged = { packaged: true, devUrl: 'http://localhost:5173' }
    const dev = { packaged: false, devUrl: 'http://localhost:5173/' }
    expect(tileCorsOrigin('app://griddesk', packaged)).toBe('app://griddesk')
    expect(tileCorsOrigin('http://localhost:5173', dev)).toBe('http://localhost:5173')
    expect(tileCorsOrigin('http://localhost:5173', packaged)).toBeNull()
    expect(tileCorsOrigin('https://evil.example', dev)).toBeNull()
    expect(tileCorsOrigin('null', packaged)).toBeNull()
    expect(tileCorsOrigin(null, packaged)).toBeNull()
    // The page may fetch from itself and the tile scheme, nothing else.
    expect(CONTENT_SECURITY_POLICY).toMatch(/connect-src 'self' griddesk-tiles:(;|$)/)
  })

  it('sets the CSP and nosniff on every app:// response, over what the file had, keeping status and body', async () => {
    const served = withAppHeaders(
      new Response('<!doctype html>', { status: 200, headers: { 'Content-Type': 'text/html', 'Content-Security-Policy': 'default-src *' } }),
    )
    expect(served.headers.get('Content-Security-Policy')).toBe(CONTENT_SECURITY_POLICY)
    expect(served.headers.get('X-Content-Type-Options')).toBe('nosniff')
    expect(served.headers.get('Content-Type')).toBe('text/html')
    expect(await served.text()).toBe('<!doctype html>')
    const refused = withAppHeaders(new Response('forbidden', { status: 403 }))
    expect([refused.status, refused.headers.get('Content-Security-Policy')]).toEqual([403, CONTENT_SECURITY_POLICY])
    expect(CONTENT_SECURITY_POLICY).toMatch(/script-src 'self'(;|$)/)
  })

  it('builds the packaged app with the hardening fuses', () => {
    // The electronFuses block of electron-builder.yml (flat `key: true|false` lines under it).
    const yml = readFileSync(join(REPO_ROOT, 'electron-builder.yml'), 'utf8')
    expect(yml).toMatch(/^asar: true$/m)
    const block = /^electronFuses:\n((?:[ ]{2}\w+: (?:true|false)\n)+)/m.exec(yml)?.[1] ?? ''
    const fuses = Object.fromEntries(
      block
        .trim()
        .split('\n')
        .map((line) => line.trim().split(': ') as [string, string])
        .map(([k, v]) => [k, v === 'true']),
    )
    expect(fuses).toEqual({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableCookieEncryption: true,
      onlyLoadAppFromAsar: true,
      enableEmbeddedAsarIntegrityValidation: true,
      grantFileProtocolExtraPrivileges: false,
    })
    // Every key is one electron-builder knows (its schema refuses unknown ones at packaging time).
    const schema = JSON.parse(readFileSync(join(REPO_ROOT, 'node_modules', 'app-builder-lib', 'scheme.json'), 'utf8')) as {
      definitions: { FuseOptionsV1: { properties: Record<string, unknown> } }
    }
    for (const key of Object.keys(fuses)) expect(schema.definitions.FuseOptionsV1.properties, key).toHaveProperty(key)
  })

  it('warns at start where the OS keychain does not protect the store key (Linux basic_text or no known keyring)', () => {
    expect(keychainWarning('linux', 'basic_text', 'zh-CN')).toMatch(/basic_text.*GNOME Keyring 或 KWallet/)
    expect(keychainWarning('linux', 'basic_text', 'en')).toMatch(/^Warning: no OS keychain.*basic_text/)
    expect(keychainWarning('linux', 'unknown', 'en')).not.toBeNull()
    expect(keychainWarning('linux', undefined, 'en')).not.toBeNull()
    for (const keyring of ['gnome_libsecret', 'kwallet', 'kwallet5', 'kwallet6']) expect(keychainWarning('linux', keyring, 'en')).toBeNull()
    expect(keychainWarning('win32', undefined, 'zh-CN')).toBeNull()
    expect(keychainWarning('darwin', undefined, 'en')).toBeNull()
  })
})
