import { afterEach, describe, expect, it } from 'vitest'
import { captureLaunchToken, launchTokenHeaders } from './launchToken'

describe('browser mode launch token', () => {
  afterEach(() => {
    sessionStorage.clear()
    window.history.replaceState(null, '', '/')
  })

  it('keeps ?k= in this tab, takes it out of the address bar and sends it as a header', () => {
    window.history.replaceState(null, '', '/?k=secret-of-this-launch&x=1#/map?grid=g1')
    expect(captureLaunchToken()).toBe('secret-of-this-launch')
    expect(window.location.href).not.toContain('secret-of-this-launch')
    expect(`${window.location.pathname}${window.location.search}${window.location.hash}`).toBe('/?x=1#/map?grid=g1')
    expect(sessionStorage.getItem('griddesk.launchToken')).toBe('secret-of-this-launch')
    expect(launchTokenHeaders()).toEqual({ 'X-GridDesk-Token': 'secret-of-this-launch' })
    // A reload (no ?k= any more) finds the kept one.
    expect(captureLaunchToken()).toBe('secret-of-this-launch')
  })

  it('sends nothing without a token (Electron, or a tab not opened at the printed address)', () => {
    expect(captureLaunchToken()).toBeNull()
    expect(launchTokenHeaders()).toEqual({})
  })
})
