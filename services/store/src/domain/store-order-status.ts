export type StoreOrderStatus = 'received' | 'accepted' | 'cooking' | 'delivering' | 'delivered' | 'rejected' | 'cancelled';
