// Reading a run's recorded event stream back, a page of chunks at a time (history:events).
import { inflateRawSync } from 'node:zlib'
import { STREAM_LIMITS } from '../../shared/history-contract'
import type { HistoryEventsPage, StreamBatch, StreamChunk } from '../../shared/history-contract'
import type { Database } from './sqlite'

interface StreamRow {
  bytes: number
  chunks: number
  batches: number
  truncated: number
}

/**
 * Chunks `from`, `from + 1`, … of run `runId`'s stream, at most `limit` of them and, past the
 * first, no more than `pageRawBytes` of JSON in all (a page stays a few MB however the run went).
 * A run recorded before streams existed, or with none, answers an empty page.
 */
export function readEvents(db: Database, runId: number, from: number, limit: number, pageRawBytes: number = STREAM_LIMITS.pageRawBytes): HistoryEventsPage {
  const head = db.prepare('SELECT bytes, chunks, batches, truncated FROM run_streams WHERE run_id = ?').all(runId)[0] as StreamRow | undefined
  const page: HistoryEventsPage = {
    runId,
    chunkTotal: head?.chunks ?? 0,
    batchTotal: head?.batches ?? 0,
    bytes: head?.bytes ?? 0,
    truncated: head?.truncated === 1,
    chunks: [],
    next: null,
  }
  if (!head) return page
  const rows = db.prepare('SELECT seq, data FROM run_stream_chunks WHERE run_id = ? AND seq >= ? ORDER BY seq LIMIT ?')
    .all(runId, from, limit) as { seq: number; data: Uint8Array }[]
  let raw = 0
  for (const r of rows) {
    const text = inflateRawSync(r.data).toString('utf8')
    if (page.chunks.length > 0 && raw + text.length > pageRawBytes) break
    raw += text.length
    const chunk: StreamChunk = { seq: r.seq, batches: JSON.parse(text) as StreamBatch[] }
    page.chunks.push(chunk)
  }
  const last = page.chunks.at(-1)
  if (last && last.seq + 1 < head.chunks) page.next = last.seq + 1
  return page
}
