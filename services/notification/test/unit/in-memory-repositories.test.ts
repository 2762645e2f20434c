import { InMemoryNotificationRepository, InMemoryTrackingRepository } from '../support/in-memory.js';
import { notificationRepositoryContract, trackingRepositoryContract } from '../support/repository-contract.js';

describe('in-memory repositories keep the repository contract', () => {
  describe('InMemoryTrackingRepository', () => trackingRepositoryContract(async () => new InMemoryTrackingRepository()));
  describe('InMemoryNotificationRepository', () => notificationRepositoryContract(async () => new InMemoryNotificationRepository()));
});
