/**
 * The columns a roster export can carry, in this order unless the desk picks others. A module of
 * its own, without zod, so the window can import the list itself (contract.ts builds its schema
 * from it; importing the contract's values would bundle zod into the renderer, see api.ts).
 */
export const EXPORT_COLUMNS = [
  'session',
  'sessionStart',
  'timeZone',
  'name',
  'email',
  'phone',
  'partySize',
  'bookingStatus',
  'attendance',
  'attendees',
  'checkedInAt',
  'checkedInBy',
  'walkIn',
  'externalId'
] as const
