/** Every construct module of the library, for `import { ... } from 'azure-mcp-gateway'`. */
export * from './common';
export * from './errors';
export * from './naming';
export * from './azapi';
export * from './network';
export * from './key-vault';
export * from './monitoring';
export * from './entra';
export * from './backends';
export * from './gateway';
export * from './secure-mcp-gateway';
