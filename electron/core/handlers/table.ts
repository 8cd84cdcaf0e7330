// The handler table's type: one function per contract entry, given parsed input.
import type { HandlerName, Output, ParsedInput } from '../../../shared/api/contract'
import type { HandlerContext } from '../context'

export type Handler<K extends HandlerName> = (ctx: HandlerContext, input: ParsedInput<K>) => Output<K> | Promise<Output<K>>
export type HandlerTable = { [K in HandlerName]: Handler<K> }
