/** `npm run chaos`: the reliability suite at the full size. */

import { FULL } from "./sizes.js";
import { defineChaosSuite } from "./suite.js";

defineChaosSuite(FULL);
