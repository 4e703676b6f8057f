/**
 * The desired state a valid `cxda.yaml` describes, placeholders resolved. It holds secret plaintext
 * (needed to write it), so it is never printed or serialised: plans carry `***` instead.
 */
import type { ActionType, HttpMethod } from "../domain/action-schema.js";
import type { DateProcessingInput } from "../domain/datetime.js";
import type { VariableType } from "../domain/variables.js";

export interface DesiredVariable {
  name: string;
  type: VariableType;
  /** The value as text (numbers, booleans and objects as the API stores them). */
  value: string;
  encrypted: boolean;
}

export interface DesiredOverride {
  name: string;
  value: string;
  masked: boolean;
  description: string;
}

/** The date processing inputs (docs/datetime.md); computedValue/computedUtc are derived at apply, never compared. */
export type DesiredDateProcessing = DateProcessingInput;

export interface DesiredAction {
  name: string;
  type: ActionType;
  description: string;
  script: { language: "JavaScript"; content: string; file: string } | null;
  request: { method: HttpMethod; urlTemplate: string } | null;
  dependencies: string[];
  headers: Record<string, string>;
  /** Header names whose value is a credential: shown as `***`. */
  secretHeaders: string[];
  /**
   * Where plain values came from, by the path the plan shows them at (`description`,
   * `request.urlTemplate`, `headers.X-Region`, `variables.region.value`, `overrides.prod.URL.value`):
   * the placeholders as written, `${env:REGION}`. Plans print such a value with its source.
   */
  sources?: Record<string, string>;
  /** The whole variable set, or undefined when the file does not manage this action's variables. */
  variables?: DesiredVariable[];
  /** Per environment id, the whole override set; environments not listed are not managed. */
  overrides?: Record<string, DesiredOverride[]>;
  dateProcessing: DesiredDateProcessing | null;
}

export interface DesiredState {
  apiVersion: "cxda/v1";
  /** Declared environment ids, in file order, when the file lists them. */
  environments?: string[];
  /** In file order. */
  actions: DesiredAction[];
}
