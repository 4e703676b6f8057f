/** The scenarios across replicas at a bounded size, part of `npm test`. */

import { defineReplicaChaosSuite } from "../chaos/replicas/suite.js";
import { BOUNDED } from "../chaos/sizes.js";

await defineReplicaChaosSuite(BOUNDED);
