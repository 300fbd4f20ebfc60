/**
 * The contract's LIMITS, mirrored so the renderer does not bundle zod (see api.ts). The literal
 * types make the compiler fail here if the contract's numbers change.
 */
import type { LIMITS } from '../../../shared/contract'

export const PARTY_MAX = 1000 satisfies (typeof LIMITS)['partySize']
export const SEARCH_MAX = 200 satisfies (typeof LIMITS)['search']
export const CSV_MAX_CHARS: (typeof LIMITS)['csvChars'] = 16 * 1024 * 1024
