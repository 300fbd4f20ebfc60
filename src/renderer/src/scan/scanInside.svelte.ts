/**
 * A desk preference: what a scan of someone already inside does. Exits and day passes scan the
 * same badge on the way out (check out); a class desk wants "already checked in". Kept with the
 * window (like the language), since it is about how this desk's scanner is used.
 */
const KEY = 'rollcall.scanInsideChecksOut'

function load(): boolean {
  try {
    return localStorage.getItem(KEY) === '1'
  } catch {
    return false
  }
}

class ScanInside {
  #checksOut = $state(load())

  get checksOut(): boolean {
    return this.#checksOut
  }

  set checksOut(value: boolean) {
    this.#checksOut = value
    try {
      localStorage.setItem(KEY, value ? '1' : '0')
    } catch {
      /* private mode: the choice lasts for this window */
    }
  }
}

export const scanInside = new ScanInside()
