// One shared wall-clock tick for countdowns and live durations: ten times a second is enough for
// three-decimal seconds to look alive without re-rendering the table on every frame.

export class Ticker {
  wall = $state(Date.now())
  private timer: ReturnType<typeof setInterval> | null = null

  constructor(private readonly periodMs = 100) {}

  start(): void {
    if (this.timer) return
    this.timer = setInterval(() => (this.wall = Date.now()), this.periodMs)
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer)
    this.timer = null
  }
}
