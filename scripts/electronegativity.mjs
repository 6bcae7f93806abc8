// Electronegativity (Doyensec's Electron security linter) over src/, for the Electron version we
// ship: prints each finding and exits 1 if there is any, or any file it could not parse. Accepted
// exceptions are `eng-disable <CHECK>` comments beside the code they concern, each justified there.
// Over the bundled out/ it would report handlers it cannot see, so it reads the sources.
import { createRequire } from 'node:module'
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'

const require = createRequire(import.meta.url)
const run = require('@doyensec/electronegativity')
const root = resolve(import.meta.dirname, '..')
const electronVersion = JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8')).devDependencies.electron

const input = resolve(root, process.argv[2] ?? 'src')
const result = await run({ input, electronVersionOverride: electronVersion, isRelative: true })
for (const e of result.errors) console.log(`could not parse: ${e.file ?? JSON.stringify(e)}`)
for (const i of result.issues) {
  console.log(`${i.id} ${i.file}:${i.location.line}:${i.location.column} ${i.severity.name}/${i.confidence.name} ${i.description} ${i.shortenedURL ?? ''}`)
}
console.log(
  `electronegativity ${result.globalChecks + result.atomicChecks} checks over ${input} (Electron ${electronVersion}): ` +
    `${result.issues.length} findings, ${result.errors.length} parse errors`,
)
process.exit(result.issues.length === 0 && result.errors.length === 0 ? 0 : 1)
