// Dates as the user reads and types them: the local calendar day (2026-12-09) and local time
// (12-09 14:30, or 2026-12-09 14:30 when the year matters). A due date is a calendar day: it is
// kept as the day itself (YYYY-MM-DD) and, where an instant is needed (a work order's due_at),
// as the end of that day in the user's time zone, which reads back as the same day there.
const pad = (n: number) => String(n).padStart(2, '0')
const DAY_RE = /^(\d{4})-(\d{2})-(\d{2})$/

/** The calendar day of an instant in a time zone (the process's own when none is given). */
export function dayOf(instant: Date | string, timeZone?: string): string {
  const d = typeof instant === 'string' ? new Date(instant) : instant
  if (!timeZone) return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`
  const parts = partsIn(d, timeZone)
  return `${parts.year}-${pad(parts.month)}-${pad(parts.day)}`
}

/** Local "YYYY-MM-DD HH:mm" of an instant. */
export function dateTimeOf(instant: Date | string, timeZone?: string): string {
  const d = typeof instant === 'string' ? new Date(instant) : instant
  const p = timeZone
    ? partsIn(d, timeZone)
    : { year: d.getFullYear(), month: d.getMonth() + 1, day: d.getDate(), hour: d.getHours(), minute: d.getMinutes(), second: d.getSeconds() }
  return `${p.year}-${pad(p.month)}-${pad(p.day)} ${pad(p.hour)}:${pad(p.minute)}`
}

/** A time in a list: "14:30" today, "12-09 14:30" this year, "2025-12-09 14:30" before. */
export function listTimeOf(instant: Date | string, now: Date = new Date()): string {
  const at = dateTimeOf(instant)
  const today = dayOf(now)
  if (at.startsWith(today)) return at.slice(11)
  return at.startsWith(today.slice(0, 4)) ? at.slice(5) : at
}

/** Local "MM-DD HH:mm" (this year's times in lists). */
export function shortDateTimeOf(instant: Date | string, timeZone?: string): string {
  return dateTimeOf(instant, timeZone).slice(5)
}

/**
 * The end (23:59:59) of a calendar day in a time zone, as an ISO instant in UTC. Read back with
 * dueDayOf in the same zone it gives the same day, whatever zone the process runs in.
 */
export function endOfDay(day: string, timeZone?: string): string {
  const m = DAY_RE.exec(day)
  if (!m) return new Date(day).toISOString()
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])]
  if (!timeZone) return new Date(y, mo - 1, d, 23, 59, 59).toISOString()
  const wall = Date.UTC(y, mo - 1, d, 23, 59, 59)
  // The zone's offset at that wall time; a second pass settles a DST change in between.
  let instant = wall - offsetMs(new Date(wall), timeZone)
  instant = wall - offsetMs(new Date(instant), timeZone)
  return new Date(instant).toISOString()
}

/** The calendar day a due instant stands for (its day in the zone). */
export function dueDayOf(dueAt: string, timeZone?: string): string {
  return DAY_RE.test(dueAt) ? dueAt : dayOf(dueAt, timeZone)
}

/** Whether a zone name is one this runtime knows. */
export function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name })
    return true
  } catch {
    return false
  }
}

function partsIn(d: Date, timeZone: string) {
  const f = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  })
  const get = (type: string) => Number(f.formatToParts(d).find((p) => p.type === type)!.value)
  return { year: get('year'), month: get('month'), day: get('day'), hour: get('hour'), minute: get('minute'), second: get('second') }
}

function offsetMs(d: Date, timeZone: string): number {
  const p = partsIn(d, timeZone)
  return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - Math.floor(d.getTime() / 1000) * 1000
}
