import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs'
import { dirname } from 'node:path'
import { stringify } from 'csv-stringify/sync'

/**
 * Python's `csv.DictWriter` over an open file: the header and each row are written as they come
 * (synchronously, as Python's file writes are), in the csv module's default dialect — comma,
 * minimal quoting, rows ending in `\r\n`.
 */
export class CsvDictWriter<K extends string> {
  readonly #fd: number

  constructor(
    readonly path: string,
    readonly fieldnames: readonly K[],
  ) {
    // Unlike Python's open(), creates the folder: params.path may name a subfolder of the output.
    mkdirSync(dirname(path), { recursive: true })
    this.#fd = openSync(path, 'w')
  }

  writeHeader(): void {
    this.#write(stringify([], { header: true, columns: [...this.fieldnames], record_delimiter: 'windows' }))
  }

  writeRow(row: Record<K, unknown>): void {
    this.#write(stringify([row], { columns: [...this.fieldnames], record_delimiter: 'windows' }))
  }

  close(): void {
    closeSync(this.#fd)
  }

  #write(text: string): void {
    writeSync(this.#fd, text)
  }
}
