/** `npm run chaos`: the scenarios across replicas at full size. */

import { defineReplicaChaosSuite } from "./replicas/suite.js";
import { FULL } from "./sizes.js";

await defineReplicaChaosSuite(FULL);
