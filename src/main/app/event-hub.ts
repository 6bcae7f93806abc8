import type { EmitEvent, EventName, EventPayloadOf } from '../../shared/contract'

export type EventListener = (event: EventName, payload: unknown) => void

/**
 * Fans the app's events out to whatever the host connects (windows, sockets). A listener that
 * throws is reported and kept: one broken window must not silence the others.
 */
export class EventHub {
  private readonly listeners = new Set<EventListener>()

  readonly emit: EmitEvent = <E extends EventName>(event: E, payload: EventPayloadOf<E>) => {
    for (const l of this.listeners) {
      try {
        l(event, payload)
      } catch (e) {
        console.error(`loopwatch: a ${event} listener failed:`, e)
      }
    }
  }

  /** Returns unsubscribe. */
  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }
}
