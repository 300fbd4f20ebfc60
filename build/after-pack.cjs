// electron-builder `afterPack` hook: flips the Electron fuses of the packaged binary (after the app
// is packed, before it is signed, so the OS signature then guards the fuses too).
//   RunAsNode off ............................. ELECTRON_RUN_AS_NODE cannot turn the app into node
//   EnableCookieEncryption on ................. the Chromium cookie store is encrypted at rest
//   EnableNodeOptionsEnvironmentVariable off .. NODE_OPTIONS cannot inject code
//   EnableNodeCliInspectArguments off ......... --inspect cannot attach a debugger
//   EnableEmbeddedAsarIntegrityValidation on .. app.asar must match the hash electron-builder embeds
//   OnlyLoadAppFromAsar on .................... no loose app folder next to app.asar is ever loaded
//   GrantFileProtocolExtraPrivileges off ...... file:// gets no extra powers (the app uses rollcall://)
/* eslint-disable @typescript-eslint/no-require-imports -- electron-builder loads this hook with require() */
'use strict'

const path = require('node:path')
const { flipFuses, FuseV1Options, FuseVersion } = require('@electron/fuses')

const FUSES = Object.freeze({
  [FuseV1Options.RunAsNode]: false,
  [FuseV1Options.EnableCookieEncryption]: true,
  [FuseV1Options.EnableNodeOptionsEnvironmentVariable]: false,
  [FuseV1Options.EnableNodeCliInspectArguments]: false,
  [FuseV1Options.EnableEmbeddedAsarIntegrityValidation]: true,
  [FuseV1Options.OnlyLoadAppFromAsar]: true,
  [FuseV1Options.GrantFileProtocolExtraPrivileges]: false
})

/** electron-builder's Arch enum value for arm64 (ia32 0, x64 1, armv7l 2, arm64 3, universal 4). */
const ARCH_ARM64 = 3
const ARCH_UNIVERSAL = 4

/** The packaged Electron executable, named as electron-builder names it on each platform. */
function electronBinaryPath(context) {
  const { appOutDir, electronPlatformName, packager } = context
  switch (electronPlatformName) {
    case 'darwin':
    case 'mas':
      return path.join(appOutDir, `${packager.appInfo.productFilename}.app`)
    case 'win32':
      return path.join(appOutDir, `${packager.appInfo.productFilename}.exe`)
    case 'linux':
      return path.join(appOutDir, packager.executableName)
    default:
      throw new Error(`after-pack: no fuse support for platform ${electronPlatformName}`)
  }
}

/** The full fuse config for one packaged app; arm64 macOS needs its ad-hoc signature redone. */
function fuseConfig(context) {
  const mac = context.electronPlatformName === 'darwin' || context.electronPlatformName === 'mas'
  return {
    version: FuseVersion.V1,
    // Fuses newer than this list keep Electron's default (strict mode would refuse a longer wire).
    strictlyRequireAllFuses: false,
    resetAdHocDarwinSignature: mac && (context.arch === ARCH_ARM64 || context.arch === ARCH_UNIVERSAL),
    ...FUSES
  }
}

async function afterPack(context) {
  const binary = electronBinaryPath(context)
  const sentinels = await flipFuses(binary, fuseConfig(context))
  if (!sentinels) throw new Error(`after-pack: no fuse wire found in ${binary}`)
  console.log(`  • fuses flipped  file=${path.relative(process.cwd(), binary)} sentinels=${sentinels}`)
}

module.exports = afterPack
module.exports.default = afterPack
module.exports.FUSES = FUSES
module.exports.fuseConfig = fuseConfig
module.exports.electronBinaryPath = electronBinaryPath
