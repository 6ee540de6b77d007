export { buildApp } from './app.ts';
export { loadConfig, ConfigError, type Config } from './config.ts';
export { startServer } from './main.ts';
export { openRuntime } from './runtime.ts';
