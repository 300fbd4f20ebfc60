/** Field checks that produce Wix fieldViolations (REQUIRED_FIELD, MIN_LENGTH, MAX, FORMAT, …). */
import { violation } from './errors'
import { GUID } from './ids'
import { isPlainObject } from './query'
import type { FieldViolation } from './types'

interface StringRule {
  required?: boolean
  min?: number
  max?: number
  guid?: boolean
}

export function checkString(value: unknown, field: string, rule: StringRule = {}): FieldViolation[] {
  if (value === undefined || value === null) return rule.required ? [violation(field, 'REQUIRED_FIELD', `${field} is required`)] : []
  if (typeof value !== 'string') return [violation(field, 'FORMAT', `${field} must be a string`)]
  if (rule.guid && !GUID.test(value)) return [violation(field, 'FORMAT', `${field} must be a GUID`)]
  if (rule.min !== undefined && value.length < rule.min) return [violation(field, 'MIN_LENGTH', `${field} is too short`, { threshold: rule.min })]
  if (rule.max !== undefined && value.length > rule.max) return [violation(field, 'MAX_LENGTH', `${field} is too long`, { threshold: rule.max })]
  return []
}

export function checkInteger(value: unknown, field: string, rule: { required?: boolean; min?: number; max?: number } = {}): FieldViolation[] {
  if (value === undefined || value === null) return rule.required ? [violation(field, 'REQUIRED_FIELD', `${field} is required`)] : []
  if (typeof value !== 'number' || !Number.isInteger(value)) return [violation(field, 'FORMAT', `${field} must be an integer`)]
  if (rule.min !== undefined && value < rule.min) return [violation(field, 'MIN', `${field} must be at least ${rule.min}`, { threshold: rule.min })]
  if (rule.max !== undefined && value > rule.max) return [violation(field, 'MAX', `${field} must be at most ${rule.max}`, { threshold: rule.max })]
  return []
}

export function checkEnum(value: unknown, field: string, allowed: readonly string[], required = false): FieldViolation[] {
  if (value === undefined || value === null) return required ? [violation(field, 'REQUIRED_FIELD', `${field} is required`)] : []
  return typeof value === 'string' && allowed.includes(value) ? [] : [violation(field, 'INVALID_ENUM_VALUE', `${field} must be one of ${allowed.join('|')}`)]
}

export function checkObject(value: unknown, field: string, required = false): FieldViolation[] {
  if (value === undefined || value === null) return required ? [violation(field, 'REQUIRED_FIELD', `${field} is required`)] : []
  return isPlainObject(value) ? [] : [violation(field, 'FORMAT', `${field} must be an object`)]
}

/**
 * An int64 sent the way protobuf JSON allows: a decimal string (what Wix returns) or a number.
 * Returns its canonical string, or undefined if it is neither.
 */
export function int64String(value: unknown): string | undefined {
  if (typeof value === 'string' && /^\d+$/.test(value)) return BigInt(value).toString()
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return String(value)
  return undefined
}

/** JSON with sorted keys: two bodies that mean the same thing compare equal. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`
  if (isPlainObject(value)) {
    const entries = Object.keys(value)
      .filter((key) => value[key] !== undefined)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonicalJson(value[key])}`)
    return `{${entries.join(',')}}`
  }
  return JSON.stringify(value)
}
