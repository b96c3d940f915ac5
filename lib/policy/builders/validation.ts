/**
 * Content validation policies: validate-content, validate-headers, llm-content-safety.
 *
 * Attribute order, expression support and defaults follow Microsoft's APIM policy reference; element and
 * attribute names (and how many of each) follow the schemas in shared/apim-xsd where the two differ.
 */
import { PolicyError, show } from '../errors';
import { AllowedIn } from '../sections';
import { ElementNode, Policy, element, policy } from '../model';
import { Expression, LiteralInput, Value, ValueInput } from '../value';
import {
  boolLiteral,
  boolValue,
  countSet,
  enumLiteral,
  enumValue,
  headerNameLiteral,
  intValue,
  listElement,
  nonEmptyList,
  plainText,
  present,
  textLiteral,
  textValue,
  variableName,
  opt,
} from './internal/inputs';

/**
 * What a validation policy does with a violation: `prevent` stops processing and answers with an error,
 * `detect` logs it (and stores it in the errors variable) and carries on, `ignore` does nothing.
 */
export type ValidationAction = 'prevent' | 'detect' | 'ignore';
const ACTIONS: readonly ValidationAction[] = ['prevent', 'detect', 'ignore'];

function action(input: ValueInput, where: string): Value {
  return enumValue(input, where, ACTIONS);
}

function errorsVariable(input: LiteralInput | undefined, owner: string): Value | undefined {
  return opt(input, (v) => variableName(v, `${owner} errors-variable-name`));
}

// ---------------------------------------------------------------------------------------------------------
// validate-content

/** The engine that validates a body: JSON schema, XML schema, or XML schema inside a SOAP envelope. */
export type ContentValidator = 'json' | 'xml' | 'soap';

/** A `<type>` mapping under `<content-type-map>`: exactly one of `from` or `when`. */
export interface ContentTypeMapping {
  /**
   * Incoming content type to map.
   * @default - not used (give `from` or `when`)
   */
  readonly from?: LiteralInput;
  /**
   * Condition (a boolean expression) selecting the requests or responses to map.
   * @default - not used (give `from` or `when`)
   */
  readonly when?: ValueInput;
  /** Content type used for validation instead. */
  readonly to: LiteralInput;
}

/** A `<content>` rule: which content type to validate, how, and what to do with a violation. */
export interface ContentValidation {
  /**
   * Content type the rule applies to (after mapping). For `soap`, `application/soap+xml` (SOAP 1.2) or
   * `text/xml` (SOAP 1.1).
   * @default - every content type in the API schema
   */
  readonly type?: LiteralInput;
  /** Validation engine. Literal only. */
  readonly validateAs: ContentValidator;
  /**
   * Name of a schema added to the API Management instance.
   * @default - the schema from the API definition
   */
  readonly schemaId?: LiteralInput;
  /**
   * Local reference into the JSON schema named by `schemaId`, such as `#/components/schemas/address`.
   * @default - the whole schema
   */
  readonly schemaRef?: LiteralInput;
  /** What to do with a body that fails validation. The schema allows expressions here. */
  readonly action: ValidationAction | Expression;
  /**
   * JSON only: overrides the schema's `additionalProperties` at run time.
   * @default - as the schema says
   */
  readonly allowAdditionalProperties?: LiteralInput;
  /**
   * JSON only: match property names case-insensitively. In the schema and Microsoft's policy toolkit; the
   * reference page does not list it yet.
   * @default false
   */
  readonly caseInsensitivePropertyNames?: LiteralInput;
}

export interface ValidateContentProps {
  /** What to do with a content type the API schema does not list. Policy expressions are allowed. */
  readonly unspecifiedContentTypeAction: ValidationAction | Expression;
  /**
   * Maximum body size in bytes, checked against `Content-Length` (decompressed length for compressed
   * bodies). APIM's documented maximum is 102,400; support can raise it, after which pass the larger value
   * as a named value or expression. Policy expressions are allowed.
   */
  readonly maxSize: ValueInput;
  /** What to do with a body larger than `maxSize`. Policy expressions are allowed. */
  readonly sizeExceededAction: ValidationAction | Expression;
  /**
   * Context variable that receives validation errors. Literal only.
   * @default - errors are not stored
   */
  readonly errorsVariableName?: LiteralInput;
  /**
   * Content type used for validation whatever the incoming one (`content-type-map`). Literal only.
   * @default - the incoming content type
   */
  readonly anyContentTypeValue?: LiteralInput;
  /**
   * Content type used when the incoming one is missing or empty (`content-type-map`). Literal only.
   * @default - none
   */
  readonly missingContentTypeValue?: LiteralInput;
  /**
   * Content type mappings (`content-type-map`/`type`), which override the two values above.
   * @default - none
   */
  readonly contentTypeMappings?: readonly ContentTypeMapping[];
  /**
   * Validation rules per content type.
   * @default - none: only the size and the content type are checked
   */
  readonly contents?: readonly ContentValidation[];
}

/** `<validate-content>`: checks a request or response body's size, content type and schema. */
export function validateContent(props: ValidateContentProps): Policy<AllowedIn<'validate-content'>> {
  const owner = '<validate-content>';
  const mappings = nonEmptyList(props.contentTypeMappings, `${owner} contentTypeMappings`, 'omit it when nothing is mapped');
  const contents = nonEmptyList(props.contents, `${owner} contents`, 'omit it to check only size and content type') ?? [];
  const hasMap = props.anyContentTypeValue !== undefined || props.missingContentTypeValue !== undefined || mappings !== undefined;
  const children = present<ElementNode>([
    hasMap
      ? element(
          'content-type-map',
          [
            ['any-content-type-value', opt(props.anyContentTypeValue, (v) => textLiteral(v, `${owner} any-content-type-value`))],
            [
              'missing-content-type-value',
              opt(props.missingContentTypeValue, (v) => textLiteral(v, `${owner} missing-content-type-value`)),
            ],
          ],
          (mappings ?? []).map((m, i) => contentTypeMapping(m, `${owner} content-type-map type[${i}]`)),
        )
      : undefined,
    ...contents.map((c, i) => contentRule(c, `${owner} content[${i}]`)),
  ]);
  return policy(element(
    'validate-content',
    [
      ['unspecified-content-type-action', action(props.unspecifiedContentTypeAction, `${owner} unspecified-content-type-action`)],
      [
        'max-size',
        intValue(props.maxSize, `${owner} max-size`, {
          min: 0,
          max: 102_400,
          hint: "APIM's documented maximum is 102,400 bytes; if support raised it, pass the value as a named value or expression",
        }),
      ],
      ['size-exceeded-action', action(props.sizeExceededAction, `${owner} size-exceeded-action`)],
      ['errors-variable-name', errorsVariable(props.errorsVariableName, owner)],
    ],
    children,
  ));
}

function contentTypeMapping(m: ContentTypeMapping, where: string): ElementNode {
  if (countSet([m.from, m.when]) !== 1) {
    throw new PolicyError(`${where} needs exactly one of from (a content type) or when (a condition)`);
  }
  return element('type', [
    ['from', opt(m.from, (v) => textLiteral(v, `${where} from`))],
    ['when', opt(m.when, (v) => boolValue(v, `${where} when`))],
    ['to', textLiteral(m.to, `${where} to`)],
  ]);
}

function contentRule(c: ContentValidation, where: string): ElementNode {
  const validateAs = enumLiteral(c.validateAs, `${where} validate-as`, ['json', 'xml', 'soap']);
  if (c.validateAs !== 'json') {
    for (const [prop, value] of [
      ['schemaRef', c.schemaRef],
      ['allowAdditionalProperties', c.allowAdditionalProperties],
      ['caseInsensitivePropertyNames', c.caseInsensitivePropertyNames],
    ] as const) {
      if (value !== undefined) {
        throw new PolicyError(`${where} ${prop} only applies to JSON schemas, not validate-as ${show(c.validateAs)}`);
      }
    }
  }
  if (c.schemaRef !== undefined && c.schemaId === undefined) {
    throw new PolicyError(`${where} schemaRef points into the schema named by schemaId: give schemaId too`);
  }
  const type = plainText(c.type);
  if (c.validateAs === 'soap' && type !== undefined && type !== 'application/soap+xml' && type !== 'text/xml') {
    throw new PolicyError(
      `${where} type for SOAP must be "application/soap+xml" (SOAP 1.2) or "text/xml" (SOAP 1.1), got ${show(type)}`,
    );
  }
  return element('content', [
    ['type', opt(c.type, (v) => textLiteral(v, `${where} type`))],
    ['validate-as', validateAs],
    ['schema-id', opt(c.schemaId, (v) => textLiteral(v, `${where} schema-id`))],
    ['schema-ref', opt(c.schemaRef, (v) => textLiteral(v, `${where} schema-ref`))],
    ['action', action(c.action, `${where} action`)],
    [
      'allow-additional-properties',
      opt(c.allowAdditionalProperties, (v) => boolLiteral(v, `${where} allow-additional-properties`)),
    ],
    [
      'case-insensitive-property-names',
      opt(c.caseInsensitivePropertyNames, (v) => boolLiteral(v, `${where} case-insensitive-property-names`)),
    ],
  ]);
}

// ---------------------------------------------------------------------------------------------------------
// validate-headers

/** A `<header>` override: the action for one named response header. */
export interface HeaderValidation {
  /** Response header name. Literal only. */
  readonly name: LiteralInput;
  /** What to do when the header violates the API schema. The schema allows expressions here. */
  readonly action: ValidationAction | Expression;
}

export interface ValidateHeadersProps {
  /** What to do with response headers the API schema specifies and that violate it. Policy expressions are allowed. */
  readonly specifiedHeaderAction: ValidationAction | Expression;
  /** What to do with response headers the API schema does not specify. Policy expressions are allowed. */
  readonly unspecifiedHeaderAction: ValidationAction | Expression;
  /**
   * Context variable that receives validation errors. Literal only.
   * @default - errors are not stored
   */
  readonly errorsVariableName?: LiteralInput;
  /**
   * Per-header overrides of the two actions.
   * @default - none
   */
  readonly headers?: readonly HeaderValidation[];
}

/** `<validate-headers>`: checks response headers against the API schema. */
export function validateHeaders(props: ValidateHeadersProps): Policy<AllowedIn<'validate-headers'>> {
  const owner = '<validate-headers>';
  const headers = nonEmptyList(props.headers, `${owner} headers`, 'omit it when no header needs its own action') ?? [];
  const seen = new Set<string>();
  const children = headers.map((h, i) => {
    const where = `${owner} header[${i}]`;
    const name = headerNameLiteral(h.name, `${where} name`);
    const plain = plainText(h.name)?.toLowerCase();
    if (plain !== undefined) {
      if (seen.has(plain)) throw new PolicyError(`${where} repeats header ${show(h.name)}: give each header one action`);
      seen.add(plain);
    }
    return element('header', [
      ['name', name],
      ['action', action(h.action, `${where} action`)],
    ]);
  });
  return policy(element(
    'validate-headers',
    [
      ['specified-header-action', action(props.specifiedHeaderAction, `${owner} specified-header-action`)],
      ['unspecified-header-action', action(props.unspecifiedHeaderAction, `${owner} unspecified-header-action`)],
      ['errors-variable-name', errorsVariable(props.errorsVariableName, owner)],
    ],
    children,
  ));
}

// ---------------------------------------------------------------------------------------------------------
// llm-content-safety

/** Azure AI Content Safety harm categories. */
export type ContentSafetyCategory = 'Hate' | 'SelfHarm' | 'Sexual' | 'Violence';
const CATEGORIES: readonly ContentSafetyCategory[] = ['Hate', 'SelfHarm', 'Sexual', 'Violence'];

/** Severity scale Azure AI Content Safety answers with: 0,2,4,6 or 0-7. */
export type ContentSafetyOutputType = 'FourSeverityLevels' | 'EightSeverityLevels';
const OUTPUT_TYPES: readonly ContentSafetyOutputType[] = ['FourSeverityLevels', 'EightSeverityLevels'];

export interface ContentSafetyCategoryThreshold {
  /** Harm category. Policy expressions are allowed. */
  readonly name: ContentSafetyCategory | Expression;
  /**
   * Severity from which content is blocked, 0 (most restrictive) to 7. Policy expressions are allowed.
   */
  readonly threshold: ValueInput;
}

export interface LlmContentSafetyProps {
  /** Backend (in API Management) that routes to the Azure AI Content Safety resource. Policy expressions are allowed. */
  readonly backendId: ValueInput;
  /**
   * Whether prompts are also checked for user attacks (Prompt Shields). Policy expressions are allowed.
   * @default false
   */
  readonly shieldPrompt?: ValueInput;
  /**
   * Severity scale of the answers; written on `<categories>`, so it needs `categories`. Policy
   * expressions are allowed.
   * @default 'FourSeverityLevels'
   */
  readonly outputType?: ContentSafetyOutputType | Expression;
  /**
   * Categories to block and their thresholds, each category at most once.
   * @default - no category checks
   */
  readonly categories?: readonly ContentSafetyCategoryThreshold[];
  /**
   * IDs of blocklists in the Content Safety resource. Policy expressions are allowed. The reference allows
   * several `<id>` elements, but the schema in shared/apim-xsd allows one, so at most one is accepted.
   * @default - no blocklist
   */
  readonly blocklistIds?: readonly ValueInput[];
}

/**
 * `<llm-content-safety>`: sends LLM prompts (inbound) or completions (outbound) to Azure AI Content
 * Safety and answers 403 for flagged content.
 *
 * The reference also documents `enforce-on-completions`, `window-size` and `window-overlap-size`, which
 * the schema in shared/apim-xsd does not allow; they are not offered until the schema has them.
 */
export function llmContentSafety(props: LlmContentSafetyProps): Policy<AllowedIn<'llm-content-safety'>> {
  const owner = '<llm-content-safety>';
  const categories = nonEmptyList(props.categories, `${owner} categories`, 'omit it when no category is checked');
  if (props.outputType !== undefined && categories === undefined) {
    throw new PolicyError(`${owner} outputType is an attribute of <categories>: give categories too`);
  }
  const blocklists = nonEmptyList(props.blocklistIds, `${owner} blocklistIds`, 'omit it when no blocklist is checked');
  if (blocklists !== undefined && blocklists.length > 1) {
    throw new PolicyError(
      `${owner} blocklistIds has ${blocklists.length} ids, but the APIM schema (llm-content-safety.xsd) ` +
        'allows one <id> in <blocklists>',
    );
  }
  const seen = new Set<string>();
  const categoryElements = (categories ?? []).map((c, i) => {
    const where = `${owner} category[${i}]`;
    const name = enumValue(c.name, `${where} name`, CATEGORIES);
    if (typeof c.name === 'string') {
      if (seen.has(c.name)) throw new PolicyError(`${where} repeats category ${show(c.name)}: give each category one threshold`);
      seen.add(c.name);
    }
    return element('category', [
      ['name', name],
      ['threshold', intValue(c.threshold, `${where} threshold`, { min: 0, max: 7 })],
    ]);
  });
  const children = present<ElementNode>([
    categories &&
      element(
        'categories',
        [['output-type', opt(props.outputType, (v) => enumValue(v, `${owner} output-type`, OUTPUT_TYPES))]],
        categoryElements,
      ),
    listElement('blocklists', 'id', blocklists?.map((id, i) => textValue(id, `${owner} blocklist id[${i}]`))),
  ]);
  return policy(element(
    'llm-content-safety',
    [
      ['backend-id', textValue(props.backendId, `${owner} backend-id`)],
      ['shield-prompt', opt(props.shieldPrompt, (v) => boolValue(v, `${owner} shield-prompt`))],
    ],
    children,
  ));
}
