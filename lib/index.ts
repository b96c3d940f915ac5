export * as policy from './policy';
export * from './constructs';
