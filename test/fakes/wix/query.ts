/**
 * The subset of the Wix query language the fake understands: filters (equality, field operators,
 * $and/$or/$not, dotted paths) and sorts. Checking is separate from evaluation so a bad query is
 * refused with a 400 before any row is looked at, as Wix does.
 */
import { violation } from './errors'
import type { FieldViolation } from './types'

export type Filter = Record<string, unknown>
export interface SortSpec {
  fieldName: string
  order: 'ASC' | 'DESC'
}

/** Per-endpoint whitelist: field → operators allowed on it (equality counts as `$eq`). */
export interface FilterRules {
  fields: Record<string, readonly string[]>
  logical: boolean
}

const FIELD_OPERATORS = new Set(['$eq', '$ne', '$gt', '$gte', '$lt', '$lte', '$in', '$nin', '$startsWith', '$exists', '$isEmpty', '$hasSome', '$hasAll'])
const LOGICAL_OPERATORS = new Set(['$and', '$or', '$not'])

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** `{"$in": [...]}` is an operator object; `{"name": "x"}` is a value to compare for equality. */
function isOperatorObject(value: unknown): value is Record<string, unknown> {
  return isPlainObject(value) && Object.keys(value).some((key) => key.startsWith('$'))
}

// ---------------------------------------------------------------------------------------------
// Checking

/** Every problem in `filter`; with `rules`, fields and operators outside the whitelist too. */
export function checkFilter(filter: unknown, rules?: FilterRules, at = 'query.filter'): FieldViolation[] {
  if (!isPlainObject(filter)) return [violation(at, 'FORMAT', 'filter must be an object')]
  return Object.entries(filter).flatMap(([key, condition]) =>
    key.startsWith('$') ? checkLogical(key, condition, rules, at) : checkField(key, condition, rules, at)
  )
}

function checkLogical(operator: string, operand: unknown, rules: FilterRules | undefined, at: string): FieldViolation[] {
  const where = `${at}.${operator}`
  if (!LOGICAL_OPERATORS.has(operator)) return [violation(where, 'INVALID_ENUM_VALUE', `unknown operator ${operator}`)]
  if (rules && !rules.logical) return [violation(where, 'FIELD_NOT_ALLOWED', `${operator} is not supported here`)]
  if (operator === '$not') return checkFilter(operand, rules, where)
  if (!Array.isArray(operand)) return [violation(where, 'FORMAT', `${operator} takes an array of filters`)]
  return operand.flatMap((inner, i) => checkFilter(inner, rules, `${where}[${i}]`))
}

function checkField(field: string, condition: unknown, rules: FilterRules | undefined, at: string): FieldViolation[] {
  const allowed = rules?.fields[field]
  if (rules && !allowed) return [violation(`${at}.${field}`, 'FIELD_NOT_ALLOWED', `filtering by ${field} is not supported`)]
  const operations = isOperatorObject(condition) ? Object.entries(condition) : [['$eq', condition] as const]
  return operations.flatMap(([operator, operand]) => {
    const where = `${at}.${field}.${operator}`
    if (!FIELD_OPERATORS.has(operator)) return [violation(where, 'INVALID_ENUM_VALUE', `unknown operator ${operator}`)]
    if (allowed && !allowed.includes(operator)) return [violation(where, 'FIELD_NOT_ALLOWED', `${operator} is not supported on ${field}`)]
    const problem = operandProblem(operator, operand)
    return problem ? [violation(where, 'FORMAT', problem)] : []
  })
}

function operandProblem(operator: string, operand: unknown): string | undefined {
  switch (operator) {
    case '$in':
    case '$nin':
    case '$hasSome':
    case '$hasAll':
      return Array.isArray(operand) ? undefined : `${operator} takes an array`
    case '$exists':
    case '$isEmpty':
      return typeof operand === 'boolean' ? undefined : `${operator} takes a boolean`
    case '$startsWith':
      return typeof operand === 'string' ? undefined : `${operator} takes a string`
    case '$gt':
    case '$gte':
    case '$lt':
    case '$lte':
      return typeof operand === 'number' || typeof operand === 'string' ? undefined : `${operator} takes a number or a string`
    default:
      return undefined
  }
}

export function checkSort(sort: unknown, allowedFields?: readonly string[]): FieldViolation[] {
  if (sort === undefined) return []
  if (!Array.isArray(sort)) return [violation('query.sort', 'FORMAT', 'sort must be an array')]
  return sort.flatMap((spec, i): FieldViolation[] => {
    const at = `query.sort[${i}]`
    if (!isPlainObject(spec) || typeof spec.fieldName !== 'string') return [violation(`${at}.fieldName`, 'REQUIRED_FIELD', 'fieldName is required')]
    if (spec.order !== undefined && spec.order !== 'ASC' && spec.order !== 'DESC') {
      return [violation(`${at}.order`, 'INVALID_ENUM_VALUE', 'order must be ASC or DESC')]
    }
    if (allowedFields && !allowedFields.includes(spec.fieldName)) {
      return [violation(`${at}.fieldName`, 'FIELD_NOT_ALLOWED', `sorting by ${spec.fieldName} is not supported`)]
    }
    return []
  })
}

/** A checked sort (see checkSort) with Wix's default order, ASC. */
export function parseSort(sort: unknown): SortSpec[] {
  if (!Array.isArray(sort)) return []
  return sort.map((spec: { fieldName: string; order?: 'ASC' | 'DESC' }) => ({ fieldName: spec.fieldName, order: spec.order ?? 'ASC' }))
}

// ---------------------------------------------------------------------------------------------
// Evaluation (on a checked filter)

export function getPath(doc: unknown, path: string): unknown {
  let value = doc
  for (const part of path.split('.')) {
    if (!isPlainObject(value)) return undefined
    value = value[part]
  }
  return value
}

export function matches(doc: unknown, filter: Filter): boolean {
  return Object.entries(filter).every(([key, condition]) => {
    if (key === '$and') return (condition as Filter[]).every((inner) => matches(doc, inner))
    if (key === '$or') return (condition as Filter[]).some((inner) => matches(doc, inner))
    if (key === '$not') return !matches(doc, condition as Filter)
    return matchField(getPath(doc, key), condition)
  })
}

function matchField(value: unknown, condition: unknown): boolean {
  if (!isOperatorObject(condition)) return deepEqual(value, condition)
  return Object.entries(condition).every(([operator, operand]) => applyOperator(operator, value, operand))
}

function applyOperator(operator: string, value: unknown, operand: unknown): boolean {
  switch (operator) {
    case '$eq':
      return deepEqual(value, operand)
    case '$ne':
      return !deepEqual(value, operand)
    case '$gt':
      return compareScalars(value, operand) > 0
    case '$gte':
      return compareScalars(value, operand) >= 0
    case '$lt':
      return compareScalars(value, operand) < 0
    case '$lte':
      return compareScalars(value, operand) <= 0
    case '$in':
      return (operand as unknown[]).some((candidate) => deepEqual(value, candidate))
    case '$nin':
      return !(operand as unknown[]).some((candidate) => deepEqual(value, candidate))
    case '$startsWith':
      return typeof value === 'string' && value.startsWith(operand as string)
    case '$exists':
      return (value !== undefined && value !== null) === operand
    case '$isEmpty':
      return isEmpty(value) === operand
    case '$hasSome':
      return Array.isArray(value) && (operand as unknown[]).some((wanted) => value.some((item) => deepEqual(item, wanted)))
    case '$hasAll':
      return Array.isArray(value) && (operand as unknown[]).every((wanted) => value.some((item) => deepEqual(item, wanted)))
    default:
      return false
  }
}

function compareScalars(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b
  // ISO dates compare correctly as strings, which is how Wix filters take them.
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0
  return Number.NaN // different types cannot be ordered: every comparison with NaN is false
}

function isEmpty(value: unknown): boolean {
  if (value === undefined || value === null || value === '') return true
  if (Array.isArray(value)) return value.length === 0
  return isPlainObject(value) && Object.keys(value).length === 0
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((item, i) => deepEqual(item, b[i]))
  if (isPlainObject(a) && isPlainObject(b)) {
    const keys = Object.keys(a)
    return keys.length === Object.keys(b).length && keys.every((key) => deepEqual(a[key], b[key]))
  }
  return false
}

// ---------------------------------------------------------------------------------------------
// Sorting

/** Time objects (`start`, `end`) sort by their instant. */
function sortValue(value: unknown): unknown {
  return isPlainObject(value) && typeof value.utcDate === 'string' ? value.utcDate : value
}

function compareForSort(a: unknown, b: unknown): number {
  if (a === undefined || a === null) return b === undefined || b === null ? 0 : 1 // missing last
  if (b === undefined || b === null) return -1
  const order = compareScalars(sortValue(a), sortValue(b))
  return Number.isNaN(order) ? 0 : order
}

/**
 * Sorts rows by `specs`; ties fall back to insertion order (reversed when the first key is DESC),
 * so rows seeded within the same millisecond still page in a stable, predictable order.
 */
export function sortRows<T>(rows: { seq: number; value: T }[], specs: SortSpec[]): T[] {
  const tieDirection = specs[0]?.order === 'DESC' ? -1 : 1
  return [...rows]
    .sort((x, y) => {
      for (const { fieldName, order } of specs) {
        const byField = compareForSort(getPath(x.value, fieldName), getPath(y.value, fieldName))
        if (byField !== 0) return order === 'DESC' ? -byField : byField
      }
      return (x.seq - y.seq) * tieDirection
    })
    .map((row) => row.value)
}
