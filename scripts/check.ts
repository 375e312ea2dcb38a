// The type-check and the lint in one process, over one TypeScript program per tsconfig.
//
//   node scripts/check.ts                      the three projects (tsconfig.json, src/web, src/widget)
//   node scripts/check.ts tsconfig.json ...    these projects only
//
// `tsc --noEmit -p` and `eslint .` (type-aware: strictTypeChecked) each build the same three
// programs and type-check most of the code, so running them apart pays for parsing, binding and
// checking twice. Here each program is built once, its diagnostics are printed the way tsc prints
// them, and the same programs are handed to ESLint (parserOptions.programs), whose type-aware rules
// then find the types already computed. The lint is the one eslint.config.js describes, rule for
// rule, on the files `eslint .` lints; `npm run lint` and `npm run typecheck` (and editors) are
// unchanged. Fails, like `eslint --max-warnings 0`, on any lint error or warning, and, like tsc, on
// any diagnostic.
import { existsSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { ESLint, type Linter } from "eslint";
import ts from "typescript";

const root = resolve(import.meta.dirname, "..");
const projects = process.argv.length > 2 ? process.argv.slice(2) : ["tsconfig.json", "src/web/tsconfig.json", "src/widget/tsconfig.json"];

const formatHost: ts.FormatDiagnosticsHost = {
  getCanonicalFileName: (f) => f,
  getCurrentDirectory: () => root,
  getNewLine: () => "\n",
};
// tsc's own choice: colour and source context on a terminal, one line per diagnostic otherwise (CI).
const formatDiagnostics = (diagnostics: readonly ts.Diagnostic[]): string =>
  process.stdout.isTTY ? ts.formatDiagnosticsWithColorAndContext(diagnostics, formatHost) : ts.formatDiagnostics(diagnostics, formatHost);

const seconds = (since: number): string => `${((performance.now() - since) / 1000).toFixed(1)} s`;

interface Project {
  /** the tsconfig, relative to the root */
  config: string;
  /** its directory, relative to the root ("" for the root itself) */
  dir: string;
  program: ts.Program;
}

// 1. The type-check: what `tsc --noEmit -p <config>` reports, for each project.
let typeErrors = 0;
const built: Project[] = [];
const typeCheckStarted = performance.now();
for (const config of projects) {
  const path = join(root, config);
  if (!existsSync(path)) {
    console.error(`check: no such tsconfig: ${config}`);
    process.exit(2);
  }
  const configErrors: ts.Diagnostic[] = [];
  const parsed = ts.getParsedCommandLineOfConfigFile(path, undefined, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => configErrors.push(d),
  });
  if (!parsed) {
    console.log(formatDiagnostics(configErrors));
    typeErrors += configErrors.length;
    continue;
  }
  // Parent pointers set while parsing, as typescript-eslint's own programs have them (its AST
  // conversion walks up the tree). The compiler options are the tsconfig's alone: typescript-eslint
  // would add noUnusedLocals/noUnusedParameters, which would make tsc report what it does not. No
  // rule reads those two options.
  const host = ts.createCompilerHost(parsed.options, true);
  const program = ts.createProgram({
    rootNames: parsed.fileNames,
    options: parsed.options,
    host,
    configFileParsingDiagnostics: ts.getConfigFileParsingDiagnostics(parsed),
    projectReferences: parsed.projectReferences,
  });
  const diagnostics = ts.getPreEmitDiagnostics(program);
  if (diagnostics.length > 0) {
    console.log(formatDiagnostics(diagnostics));
    console.log(`type-check: ${diagnostics.length} error(s) in ${config}\n`);
    typeErrors += diagnostics.length;
  }
  const dir = relative(root, dirname(path));
  built.push({ config, dir, program });
}
console.log(`type-check: ${built.length} project(s), ${typeErrors} error(s), ${seconds(typeCheckStarted)}`);

// 2. The lint, on those programs. typescript-eslint takes the first program holding the file, and
// several files are in more than one (src/web/i18n is imported by tests in the root project; the
// web app and the widget import src/modules/seals/verify). `eslint .` with projectService gives a
// file to the nearest tsconfig.json above it, so the same is done here: every file gets the root
// program, and the files under a nested project's directory get that project's, deeper last
// (a later config object wins).
const tsFiles = "**/*.{ts,tsx,mts,cts}";
const byDepth = [...built].sort((a, b) => a.dir.split("/").length - b.dir.split("/").length || a.dir.length - b.dir.length);
const programsFor: Linter.Config[] = byDepth.map(({ dir, program }) => ({
  files: [dir === "" ? tsFiles : `${dir}/${tsFiles}`],
  languageOptions: { parserOptions: { projectService: false, programs: [program] } },
}));
const lintStarted = performance.now();
const eslint = new ESLint({ cwd: root, overrideConfig: programsFor });
const results = await eslint.lintFiles(["."]);
const errors = results.reduce((n, r) => n + r.errorCount, 0);
const warnings = results.reduce((n, r) => n + r.warningCount, 0);
const formatter = await eslint.loadFormatter("stylish");
const report = await formatter.format(results);
if (report.trim() !== "") console.log(report);
console.log(`lint: ${results.length} files, ${errors} error(s), ${warnings} warning(s), ${seconds(lintStarted)}`);

// --max-warnings 0: a warning fails the check as an error does.
if (typeErrors > 0 || errors > 0 || warnings > 0) {
  console.error(`check: failed (${typeErrors} type error(s), ${errors} lint error(s), ${warnings} lint warning(s))`);
  process.exit(1);
}
