// The store key of browser mode and the CLI: --key-file FILE, --passphrase-file FILE, the
// environment (GRIDDESK_KEY_FILE, GRIDDESK_PASSPHRASE_FILE, GRIDDESK_PASSPHRASE), or — in a
// terminal — a prompt with the input hidden (asked twice for a new data directory).
import { createInterface } from 'node:readline'
import { AppError } from '../../../shared/errors'
import { resources, type Language } from '../../../shared/i18n'
import { keyKindOf, keySourceFromEnv, readPassphraseFile, type KeySource } from './keys'

export interface KeyArgs {
  'key-file'?: string
  'passphrase-file'?: string
}

export async function keySourceFromArgs(dataDir: string, args: KeyArgs, lang: Language, env: NodeJS.ProcessEnv = process.env): Promise<KeySource | undefined> {
  if (args['key-file']) return { kind: 'keyfile', path: args['key-file'] }
  if (args['passphrase-file']) return { kind: 'passphrase', passphrase: readPassphraseFile(args['passphrase-file']) }
  const fromEnv = keySourceFromEnv(env)
  if (fromEnv) return fromEnv
  if (!process.stdin.isTTY) return undefined
  const kind = keyKindOf(dataDir)
  if (kind && kind !== 'passphrase') return undefined // openCore says what this store needs
  const words = resources[lang].translation.crypt
  if (kind === 'passphrase') return { kind: 'passphrase', passphrase: await askHidden(words.prompt) }
  const first = await askHidden(words.promptNew)
  if ((await askHidden(words.promptRepeat)) !== first)
    throw new AppError('STORE_KEY_WRONG', 'the two passphrases differ', { details: { reason: 'passphrase_mismatch' } })
  return { kind: 'passphrase', passphrase: first }
}

function askHidden(question: string): Promise<string> {
  return new Promise((resolve) => {
    const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true })
    const muted = rl as unknown as { _writeToOutput(text: string): void }
    let shown = false
    muted._writeToOutput = (text) => {
      if (!shown) process.stderr.write(text)
      shown = true
    }
    rl.question(question, (answer) => {
      process.stderr.write('\n')
      rl.close()
      resolve(answer)
    })
  })
}
