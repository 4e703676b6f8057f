/**
 * Keeping reports of huge inputs small: issues are grouped by rule and each rule lists at most
 * MAX_ISSUES_PER_RULE of them, then one "…and N more" line. User text quoted in a message is cut and
 * has its control characters escaped.
 */
import { type IssuePath, issue, type ValidationIssue } from "./validation-result.js";

export const MAX_ISSUES_PER_RULE = 20;

export class RuleIssues {
  private readonly groups = new Map<string, ValidationIssue[]>();

  add(rule: string, found: ValidationIssue): void {
    const group = this.groups.get(rule);
    if (group) group.push(found);
    else this.groups.set(rule, [found]);
  }

  /** Every group's first issues, then one issue at `path` saying how many more were left out. */
  flatten(
    path: IssuePath,
    more: (rest: number, rule: string, first: ValidationIssue) => string,
  ): ValidationIssue[] {
    const out: ValidationIssue[] = [];
    for (const [rule, group] of this.groups) {
      out.push(...group.slice(0, MAX_ISSUES_PER_RULE));
      const rest = group.length - MAX_ISSUES_PER_RULE;
      if (rest > 0) {
        const first = group[0]!;
        out.push(
          issue(
            path,
            first.code,
            `${more(rest, rule, first)}; only the first ${MAX_ISSUES_PER_RULE} are listed`,
          ),
        );
      }
    }
    return out;
  }
}
