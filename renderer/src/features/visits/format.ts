// Dates as the visit forms show and send them: the local calendar day and local time of day.
const pad = (n: number) => String(n).padStart(2, '0')

export const localDay = (d: Date) => `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`
export const localTime = (iso: string) => {
  const d = new Date(iso)
  return `${localDay(d)} ${pad(d.getHours())}:${pad(d.getMinutes())}`
}
