/** The CLI's version, printed by `cxda --version` (bin.ts answers it without loading the command tree). */
export const VERSION = "0.1.0";
