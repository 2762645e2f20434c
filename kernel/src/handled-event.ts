/**
 * An event from another context being handled, by one consumer: its effect and the record that it
 * was handled are written together, so a redelivered event has no second effect.
 */
export interface HandledEvent {
  consumer: string;
  eventId: string;
}
