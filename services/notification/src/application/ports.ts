import type { Notification } from '../domain/notification.js';
import type { OrderTracking, TrackingStatus } from '../domain/tracking.js';

/** A stored value and the revision it was read at, for compare-and-set writes. */
export interface Versioned<T> {
  value: T;
  version: number;
}

export interface TrackingRepository {
  /** The stored tracking and its version, read from the store itself (for compare-and-set writes). */
  find(orderId: string): Promise<Versioned<OrderTracking> | undefined>;
  /**
   * The tracking for answering a reader: may come from a view kept in memory, which trails the
   * store by at most the adapter's documented staleness bound. Never to be written back.
   */
  read(orderId: string): Promise<OrderTracking | undefined>;
  /** The new version; undefined when the order is tracked already. */
  create(tracking: OrderTracking): Promise<number | undefined>;
  /** The new version; undefined when the tracking changed since `version`. */
  update(tracking: OrderTracking, version: number): Promise<number | undefined>;
  /** The current tracking if there is one, then every new version, until `signal` aborts. */
  watch(orderId: string, signal: AbortSignal): AsyncIterable<OrderTracking>;
}

/** How far the tracking view is behind the order events already published. */
export interface TrackingBacklog {
  /** Resolves once the events published before the call are in the view, after `maxWaitMs` at most, or on abort. */
  caughtUp(maxWaitMs: number, signal: AbortSignal): Promise<void>;
}

/** What identifies a notification in storage: a customer's message about one status of one order. */
export interface NotificationKey {
  customerId: string;
  orderId: string;
  status: TrackingStatus;
}

export interface NotificationPage {
  notifications: Notification[];
  /** Opaque; absent on the last page. */
  nextCursor?: string;
}

export interface NotificationRepository {
  find(key: NotificationKey): Promise<Versioned<Notification> | undefined>;
  /**
   * Stores the notification unless one exists for its key, and makes sure a pending one is on
   * the dispatcher's work list. Returns what is stored.
   */
  createIfAbsent(notification: Notification): Promise<{ created: boolean; stored: Versioned<Notification> }>;
  /** The new version; undefined when it changed since `version`. A sent or failed one leaves the work list. */
  update(notification: Notification, version: number): Promise<number | undefined>;
  /** A customer's notifications, newest first. */
  listByCustomer(customerId: string, limit: number, cursor?: string): Promise<NotificationPage>;
}

/** A change of the work list of pending notifications: one to send, or (no key) one that left it. */
export interface PendingChange {
  marker: string;
  key?: NotificationKey;
}

/** The work list of pending notifications, as the dispatcher follows it. */
export interface PendingWorkList {
  /** Every pending notification now, then each one added or removed, until `signal` aborts. */
  watchPending(signal: AbortSignal): AsyncIterable<PendingChange>;
  dropPending(marker: string): Promise<void>;
}

export interface OutgoingMessage {
  /** Also the provider's idempotency key: the same status change is never shown twice. */
  notificationId: string;
  recipient: string;
  text: string;
}

/** The customer's messaging channel (KakaoTalk, or the log). */
export interface Notifier {
  readonly channel: string;
  /** Resolves once the provider has taken the message; throws a NotifierError otherwise. */
  send(message: OutgoingMessage): Promise<void>;
}

/** A message the provider did not take; `permanent` when sending it again cannot help. */
export class NotifierError extends Error {
  constructor(
    message: string,
    readonly permanent: boolean,
  ) {
    super(message);
    this.name = 'NotifierError';
  }
}

export type { Clock, IdGenerator } from '@fooddelivery/kernel/clock';
