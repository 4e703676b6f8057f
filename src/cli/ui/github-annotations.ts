/**
 * GitHub Actions workflow commands (`::error file=…,line=…,col=…::message`), escaped as the runner
 * unescapes them (actions/toolkit `command.ts`): in the message `%`, CR and LF; in a property also `:`
 * and `,`. So a message with a newline stays one annotation and a file name with a comma stays one property.
 */

export type AnnotationLevel = "error" | "warning" | "notice";

export interface AnnotationProperties {
  file?: string;
  line?: number;
  col?: number;
  title?: string;
}

export function escapeData(text: string): string {
  return text.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
}

export function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, "%3A").replace(/,/g, "%2C");
}

export function githubAnnotation(
  level: AnnotationLevel,
  message: string,
  properties: AnnotationProperties = {},
): string {
  const props = (["file", "line", "col", "title"] as const)
    .filter((key) => properties[key] !== undefined)
    .map((key) => `${key}=${escapeProperty(String(properties[key]))}`)
    .join(",");
  return `::${level}${props === "" ? "" : ` ${props}`}::${escapeData(message)}`;
}

/** One `::error` per problem of a project file, at its FILE:LINE:COLUMN, titled with its code. */
export function problemAnnotations(
  problems: readonly { file: string; line: number; column: number; code: string; message: string }[],
): string[] {
  return problems.map((p) =>
    githubAnnotation("error", p.message, {
      file: p.file,
      line: p.line,
      col: p.column,
      title: `cxda: ${p.code}`,
    }),
  );
}
