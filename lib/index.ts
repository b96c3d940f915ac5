export * as policy from './policy';
