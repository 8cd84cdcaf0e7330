// What an unexpected error may put in the log. The device's console ends up in terminal
// scroll-back, Electron's log files and bug reports, and an error's message can carry the row it
// failed on (a failed SQL statement, a trigger, a value in a parse error: names, phone numbers).
// So, like HQ (server/app.ts), the log gets the error's name and code, its message with the values
// taken out (quoted text, numbers, non-ASCII text such as Chinese names, e-mail addresses), and the
// stack frames of our own code (file and line, not the first stack line, which repeats the message).

const MAX_MESSAGE = 200
const MAX_FRAMES = 12

/** A message with what could be a value replaced: what failed stays readable, whose data does not. */
export function scrubMessage(message: string): string {
  return message
    .replace(/(['"`])(?:(?!\1)[\s\S]){0,500}?\1/g, '$1…$1')
    .replace(/[^\s'"`()]+@[^\s'"`()]+/g, '…@…')
    .replace(/[^\x20-\x7e]+/g, '…')
    .replace(/\d{3,}/g, '#')
    .replace(/\d+(?:[.,]\d+)+/g, '#')
    .slice(0, MAX_MESSAGE)
}

/** The stack frames of our code (no node_modules, no Node internals), as `at fn (path:line:col)`. */
export function ourFrames(stack: string | undefined): string[] {
  return (stack ?? '')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.startsWith('at ') && !/node_modules|\(node:|^at node:|<anonymous>/.test(line))
    .slice(0, MAX_FRAMES)
}

/** One log entry for an unexpected error, safe to print: name, code, scrubbed message, our frames, and the same for its cause. */
export function describeErrorForLog(error: unknown, depth = 0): string {
  if (!(error instanceof Error)) return `non-error thrown (${typeof error})`
  const code = (error as { code?: unknown }).code
  const head = `${error.name}${typeof code === 'string' || typeof code === 'number' ? ` [${scrubMessage(String(code))}]` : ''}: ${scrubMessage(error.message)}`
  const frames = ourFrames(error.stack).map((f) => `    ${f}`)
  const cause = depth < 2 && error.cause !== undefined ? [`  caused by ${describeErrorForLog(error.cause, depth + 1)}`] : []
  return [head, ...frames, ...cause].join('\n')
}

/** Prints an unexpected error for developers without the data it may carry. */
export function logUnexpectedError(context: string, error: unknown): void {
  console.error(`${context}: ${describeErrorForLog(error)}`)
}
