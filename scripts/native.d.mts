// Types for the parts of scripts/native.mjs that TypeScript tests import.
export function electronSqliteBindingPath(projectRoot: string, electronVersion: string, platform?: string, arch?: string): string
export function electronInfo(): { binary: string | null; version: string | null; reason: string | null }
