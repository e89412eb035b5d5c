// addons-linter ships no types; this is the part of its documented Node API (README, "Using as a library")
// that scripts/lint-packages.ts calls.
declare module 'addons-linter' {
  export interface LinterMessage { code: string; file?: string; message: string; line?: number; column?: number }
  export interface LinterResults { errors: LinterMessage[]; warnings: LinterMessage[]; notices: LinterMessage[] }
  interface LinterConfig {
    _: string[];
    logLevel: string;
    stack: boolean;
    pretty: boolean;
    warningsAsErrors: boolean;
    metadata: boolean;
    output: 'none' | 'text' | 'json';
    boring: boolean;
    selfHosted: boolean;
    enableBackgroundServiceWorker?: boolean;
  }
  const linter: {
    createInstance(options: { config: LinterConfig; runAsBinary: boolean }): { run(): Promise<LinterResults> };
  };
  export default linter;
}
