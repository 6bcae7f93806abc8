// GET /export?runId=N&format=csv|json&token=… — the browser host's streamed download of a run's
// export. Checked as the WebSocket is (Host, Origin when the browser sends one, this start's
// token), then the file is written to the response page by page, with backpressure: memory stays
// at one page whatever the run's size. Pages come through the contract (`history:get`), so this
// route needs nothing but the dispatcher the WebSocket already uses.
import type { IncomingMessage, ServerResponse } from 'node:http'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import * as v from 'valibot'
import type { ErrorInfo } from '../../shared/contract'
import { EXPORT_FORMATS, EXPORT_MIME, exportFilename } from '../../shared/history-contract'
import type { HistoryEventsPage } from '../../shared/history-contract'
export { EXPORT_PATH } from '../../shared/history-contract'
import type { HistoryRunDetail } from '../../shared/snapshots'
import { exportPieces } from '../history/export'
import { httpRefusal, refusalHeaders } from './token-check'
import type { Dispatch } from './ws-bridge'

const querySchema = v.object({
  runId: v.pipe(v.string(), v.regex(/^[1-9]\d{0,15}$/, 'runId is a positive integer'), v.transform(Number), v.safeInteger()),
  format: v.picklist(EXPORT_FORMATS),
})

/** The status an error code answers with over HTTP. */
const STATUS: Partial<Record<ErrorInfo['code'], number>> = { bad_request: 400, not_found: 404, forbidden: 403, shutting_down: 503 }

export interface ExportRouteContext {
  token: string
  port: number
  dispatch: Dispatch
}

/**
 * Answers one request for the export path. Refusals are small JSON `{ code, message }` bodies with
 * the matching status (421 host, 403 origin, 401 token, 405 method, 400 query, 404 run); nothing is
 * read from the history before every check has passed.
 */
export function handleExport(req: IncomingMessage, res: ServerResponse, url: URL, ctx: ExportRouteContext): void {
  void serve(req, res, url, ctx).catch(() => res.destroy())
}

async function serve(req: IncomingMessage, res: ServerResponse, url: URL, { token, port, dispatch }: ExportRouteContext): Promise<void> {
  const headers = refusalHeaders(port, 200)
  const refuse = (status: number, code: ErrorInfo['code'], message: string) => {
    res.writeHead(status, { ...refusalHeaders(port, status), 'Content-Type': 'application/json; charset=utf-8' })
    res.end(JSON.stringify({ code, message }))
  }
  const refused = httpRefusal(req, url, token, port)
  if (refused) return refuse(refused.status, refused.code, refused.reason)
  const query = v.safeParse(querySchema, { runId: url.searchParams.get('runId') ?? '', format: url.searchParams.get('format') ?? '' })
  if (!query.success) return refuse(400, 'bad_request', `export: ${v.summarize(query.issues).slice(0, 300)}`)
  const { runId, format } = query.output

  const page = async (p: object): Promise<HistoryRunDetail> => {
    const result = await dispatch('history:get', p)
    if (!result.ok) throw Object.assign(new Error(result.error.message), { info: result.error })
    return result.value as HistoryRunDetail
  }
  const events = async (from: number): Promise<HistoryEventsPage> => {
    const result = await dispatch('history:events', { runId, from })
    if (!result.ok) throw Object.assign(new Error(result.error.message), { info: result.error })
    return result.value as HistoryEventsPage
  }
  const pieces = exportPieces(page, runId, format, events)
  // The first piece reads the first page: an unknown run is still a clean 404, not a broken file.
  let first: IteratorResult<string>
  try {
    first = await pieces.next()
  } catch (e) {
    const info = (e as { info?: ErrorInfo }).info ?? { code: 'internal', message: 'the export failed' }
    return refuse(STATUS[info.code] ?? 500, info.code, info.message)
  }
  res.writeHead(200, {
    ...headers,
    'Content-Type': EXPORT_MIME[format],
    'Content-Disposition': `attachment; filename="${exportFilename(runId, format)}"`,
  })
  async function* all(): AsyncGenerator<string> {
    if (!first.done) yield first.value
    yield* pieces
  }
  // pipeline: backpressure from the socket, and the generator stops if the client goes away.
  await pipeline(Readable.from(all()), res)
}
