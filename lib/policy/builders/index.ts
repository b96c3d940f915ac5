export * from './control';
export * from './transform';
export * from './access';
export * from './tokens';
export * from './validation';
export * from './messaging';
