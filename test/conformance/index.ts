import { PolicyDocument, PolicyDocumentProps, policyDocument } from '../../lib/policy/document';
import { CommentNode, Policy, comment } from '../../lib/policy/model';
import { render } from '../../lib/policy/render';
import { SECTIONS } from '../../lib/policy/sections';
import type { XsdDocument } from '../../lib/policy/xsd';
import { samples as access } from './access';
import { samples as control } from './control';
import { samples as messaging } from './messaging';
import { samples as tokens } from './tokens';
import { samples as transform } from './transform';
import { samples as validation } from './validation';
import type { ConformanceSample } from './types';

/** Throws when two samples share a name: names locate XSD errors, so they must be unique. */
export function checkUniqueNames(samples: readonly ConformanceSample[]): ConformanceSample[] {
  const seen = new Set<string>();
  const duplicates = new Set<string>();
  for (const s of samples) {
    if (seen.has(s.name)) duplicates.add(s.name);
    seen.add(s.name);
  }
  if (duplicates.size > 0) {
    throw new Error(`conformance sample names must be unique; repeated: ${[...duplicates].join(', ')}`);
  }
  return [...samples];
}

export const allSamples: ConformanceSample[] = checkUniqueNames([
  ...control,
  ...transform,
  ...access,
  ...tokens,
  ...validation,
  ...messaging,
]);

/**
 * One policy document per section that has samples, each sample preceded by a comment with its name so
 * an XSD error's line leads to the sample. policyDocument() re-checks each sample's section at run time.
 */
export function conformanceDocuments(
  samples: readonly ConformanceSample[] = allSamples,
): { fileName: string; document: PolicyDocument }[] {
  return SECTIONS.filter((section) => samples.some((s) => s.section === section)).map((section) => {
    const statements: (Policy | CommentNode)[] = samples
      .filter((s) => s.section === section)
      .flatMap((s) => [comment(` ${s.name.replace(/-(?=-)/g, '- ')} `), s.policy]);
    const props: PolicyDocumentProps = section === 'on-error' ? { onError: statements } : { [section]: statements };
    return { fileName: `conformance-${section}.xml`, document: policyDocument(props) };
  });
}

/** The conformance documents in the `xml` format, ready for validateAgainstXsd. */
export function conformanceXml(samples: readonly ConformanceSample[] = allSamples): XsdDocument[] {
  return conformanceDocuments(samples).map(({ fileName, document }) => ({
    fileName,
    contents: render(document, { format: 'xml' }),
  }));
}

/**
 * Adds to each `file:line: message` error the sample it falls in (the nearest name comment above the line)
 * and the offending line.
 */
export function explainErrors(errors: readonly string[], documents: readonly XsdDocument[]): string[] {
  return errors.map((error) => {
    const match = /^(.+?):(\d+): /.exec(error);
    const doc = match && documents.find((d) => d.fileName === match[1]);
    if (!match || !doc) return error;
    const lines = doc.contents.split('\n');
    const at = Number(match[2]) - 1;
    let sampleName: string | undefined;
    for (let i = Math.min(at, lines.length - 1); i >= 0 && sampleName === undefined; i--) {
      sampleName = /^\s*<!-- (.+) -->\s*$/.exec(lines[i])?.[1];
    }
    return `${error}${sampleName ? ` [sample ${sampleName}]` : ''}\n    ${(lines[at] ?? '').trim()}`;
  });
}
