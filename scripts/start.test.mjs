// `npm start` never falls back to browser mode by itself: without Electron it stops and says how to
// fix it, and browser mode runs only when asked for.
import { describe, expect, it } from 'vitest'
import { parseStartArgs, planStart } from './startPlan.mjs'

describe('npm start', () => {
  it('runs browser mode only when asked for: --browser (not passed on) or GRIDDESK_BROWSER_MODE=1', () => {
    expect(parseStartArgs(['--browser', '--data-dir', 'd'], {})).toEqual({ browser: true, args: ['--data-dir', 'd'] })
    expect(parseStartArgs(['--data-dir', 'd'], { GRIDDESK_BROWSER_MODE: '1' })).toEqual({ browser: true, args: ['--data-dir', 'd'] })
    expect(parseStartArgs([], { GRIDDESK_BROWSER_MODE: '0' }).browser).toBe(false)
    expect(planStart({ browser: true })).toEqual({ run: 'browser' })
  })

  it('stops with instructions when the Electron runtime is missing, instead of starting browser mode', () => {
    const plan = planStart({ browser: false, electron: { reason: 'getaddrinfo ENOTFOUND github.com' } })
    expect(plan.run).toBe('none')
    expect(plan.message).toContain('getaddrinfo ENOTFOUND github.com')
    expect(plan.message).toContain('node node_modules/electron/install.js')
    expect(plan.message).toContain('npm start -- --browser')
    expect(plan.message).toContain('GRIDDESK_BROWSER_MODE=1')
  })

  it('stops with instructions when the SQLite driver cannot be built for Electron', () => {
    const plan = planStart({ browser: false, electron: { path: '/e/electron' }, native: { error: 'gyp ERR! find Python' } })
    expect(plan.run).toBe('none')
    expect(plan.message).toContain('gyp ERR! find Python')
    expect(plan.message).toContain('npm run native:electron')
    expect(plan.message).toContain('npm start -- --browser')
  })

  it('opens Electron with its build of the driver when both are there', () => {
    expect(planStart({ browser: false, electron: { path: '/e/electron' }, native: { path: '/n/b.node' } })).toEqual({
      run: 'electron',
      binary: '/e/electron',
      nativeBinding: '/n/b.node',
    })
  })
})
