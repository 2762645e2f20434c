export type Role = 'customer' | 'store_owner' | 'admin' | 'service';

/**
 * Who asks, as every context sees it: a customer (subject = customer id), a store owner bound to
 * one store, an administrator, or another service. The adapters make it from a verified token.
 */
export interface Actor {
  subject: string;
  role: Role;
  /** For store owners: the store they act for. */
  storeId?: string;
}
