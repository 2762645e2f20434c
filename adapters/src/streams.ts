/**
 * The JetStream streams of the system, one per publishing context, subjects
 * `fooddelivery.<context>.<event>`. Part of the wire contract, like the protos: consumers
 * create a stream that does not exist yet, so they can start before its publisher.
 */
export const Streams = {
  order: { name: 'FOODDELIVERY_ORDER', subjects: ['fooddelivery.order.>'] },
  payment: { name: 'FOODDELIVERY_PAYMENT', subjects: ['fooddelivery.payment.>'] },
  store: { name: 'FOODDELIVERY_STORE', subjects: ['fooddelivery.store.>'] },
} as const;
