/**
 * The screen's languages: English (the source) and German, as typed dictionaries.
 *
 * Why not a library (i18next, svelte-i18n, typesafe-i18n…): there are two languages; the compiler
 * already checks what matters — the German dictionary is typed as `Messages` (the English one's
 * type), so a missing or extra key, or a message called with the wrong parameters, fails the build —
 * and nothing has to be fetched or parsed at run time (no loader, no ICU strings, nothing for the
 * strict CSP to object to, nothing that can fail offline). Parameters are plain functions.
 *
 *   import { i18n } from './i18n.svelte'
 *   const t = $derived(i18n.t)      // in a component: re-renders when the language changes
 *   t.roster.checkInName('Anna')    // "Check in Anna" / "Anna einchecken"
 */
import { de } from './messages/de'
import { en, type Messages } from './messages/en'

export type { Messages }
export type Lang = 'en' | 'de'

export const LANGS: readonly { value: Lang; label: string }[] = [
  { value: 'en', label: 'English' },
  { value: 'de', label: 'Deutsch' }
]

const DICTS: Record<Lang, Messages> = { en, de }
const STORAGE_KEY = 'rollcall.lang'

function browserLanguages(): readonly string[] {
  if (typeof navigator === 'undefined') return []
  return navigator.languages?.length ? navigator.languages : [navigator.language]
}

function isLang(value: unknown): value is Lang {
  return value === 'en' || value === 'de'
}

/** The remembered choice, else the browser's first language we have, else English. */
function initialLang(): Lang {
  try {
    const stored = localStorage.getItem(STORAGE_KEY)
    if (isLang(stored)) return stored
  } catch {
    // Storage can be disabled: fall back to the browser's languages.
  }
  for (const tag of browserLanguages()) {
    const base = tag.toLowerCase().split('-')[0]
    if (isLang(base)) return base
  }
  return 'en'
}

class I18n {
  lang = $state<Lang>(initialLang())

  /** The current dictionary. Reading it in a template or `$derived` tracks the language. */
  get t(): Messages {
    return DICTS[this.lang]
  }

  /** The locale for `Intl` (dates, times, numbers): de-DE, or en-US / en-GB after the browser. */
  get locale(): string {
    if (this.lang === 'de') return 'de-DE'
    return browserLanguages().some((tag) => tag === 'en-US') ? 'en-US' : 'en-GB'
  }

  set(lang: Lang): void {
    this.lang = lang
    try {
      localStorage.setItem(STORAGE_KEY, lang)
    } catch {
      // Not remembered across restarts; the choice still holds for this window.
    }
  }
}

export const i18n = new I18n()

/** A number as the current language writes it (1,234 / 1.234). */
export function num(n: number): string {
  return n.toLocaleString(i18n.locale)
}
