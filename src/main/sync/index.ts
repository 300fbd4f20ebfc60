export { createOutbox, storedReason, type Outbox, type OutboxRow } from './outbox'
export { createReplica, contentRevision, type Replica } from './replica'
export { createSyncEngine, backoffDelay, DEFAULT_BACKOFF, type SyncEngine, type BackoffPolicy, type PullRequest, type Trigger } from './engine'
