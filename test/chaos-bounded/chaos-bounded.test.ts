/** The reliability suite at a bounded size, part of `npm test` (about a minute). */
import { BOUNDED } from "../chaos/sizes.js";
import { defineChaosSuite } from "../chaos/suite.js";

defineChaosSuite(BOUNDED);
