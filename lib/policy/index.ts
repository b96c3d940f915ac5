/**
 * The APIM policy language: a typed model of policy documents, builders, expressions, rendering to
 * `rawxml` and `xml`, and parsing either back. No cdktf here: usable from any tool that writes APIM policies.
 */
export * from './errors';
export * from './value';
export * from './sections';
export * from './model';
export * from './document';
export * from './expressions';
export * from './render';
export * from './mask';
export * from './parse';
export * from './raw';
export * from './builders';
export * from './lint';
