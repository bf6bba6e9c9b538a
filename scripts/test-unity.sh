#!/usr/bin/env bash
# npm run test:unity — compiles the Unity bridge (unity-bridge/) with Mono's mcs in the C# subset Unity
# and mcs share, against test-only Unity API stand-ins (test/unity/), Debian's Newtonsoft.Json and
# NUnit 2.6, runs its NUnit tests (the integration tests start the real sidecar) and prints
# "N passed, N failed". Exit status: nonzero when anything failed or did not compile.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="$ROOT/unity-bridge-build"
PKG="$ROOT/unity-bridge"
STANDINS="$ROOT/test/unity"
NEWTONSOFT=/usr/lib/cli/Newtonsoft.Json-5.0/Newtonsoft.Json.dll
NUNIT=/usr/lib/cli/nunit.framework-2.6.3/nunit.framework.dll

fail_build() { echo "test-unity: $1" >&2; echo "0 passed, 1 failed"; exit 1; }

for tool in mcs mono nunit-console node; do
  command -v "$tool" >/dev/null || fail_build "'$tool' is missing (apt-get install mono-devel nunit-console libnewtonsoft-json-cil-dev)"
done
for dll in "$NEWTONSOFT" "$NUNIT"; do
  [ -f "$dll" ] || fail_build "$dll is missing"
done

# The integration tests run the real sidecar (METABALANCE_CLI, default dist/src/cli/main.js):
# build it when it has not been built.
export METABALANCE_CLI="${METABALANCE_CLI:-$ROOT/dist/src/cli/main.js}"
if [ ! -f "$METABALANCE_CLI" ]; then
  echo "test-unity: building the sidecar (dist/src/cli/main.js is missing)" >&2
  (cd "$ROOT" && npx tsc -p tsconfig.json) >&2 || echo "test-unity: tsc reported errors (JS was still emitted)" >&2
fi

# The package as Unity imports it: a valid manifest, asmdefs, and a .meta beside every asset.
node -e '
const fs = require("fs"), path = require("path"), pkg = process.argv[1];
const read = (f) => { try { return JSON.parse(fs.readFileSync(path.join(pkg, f), "utf8")); } catch (e) { throw new Error(f + ": " + e.message); } };
const m = read("package.json");
const problems = [];
if (m.name !== "com.metabalance.editor") problems.push("package.json: name must be com.metabalance.editor");
if (!/^\d+\.\d+\.\d+$/.test(m.version || "")) problems.push("package.json: version must be x.y.z");
if (m.unity !== "2021.3") problems.push("package.json: unity must be 2021.3");
if (!m.displayName || !m.description) problems.push("package.json: displayName and description are required");
if (!(m.dependencies || {})["com.unity.nuget.newtonsoft-json"]) problems.push("package.json: depends on com.unity.nuget.newtonsoft-json");
for (const s of m.samples || []) if (!fs.existsSync(path.join(pkg, s.path))) problems.push("package.json: sample path " + s.path + " does not exist");
const attributes = read("Runtime/Attributes/Metabalance.Attributes.asmdef"), runtime = read("Runtime/Metabalance.Runtime.asmdef"), editor = read("Editor/Metabalance.Editor.asmdef"), tests = read("Tests/Editor/Metabalance.Editor.Tests.asmdef");
// Game code marks its balance fields on every platform; the client needs threads and ClientWebSocket,
// so it exists only in the editor and standalone players (not WebGL).
if ((attributes.includePlatforms || []).length || (attributes.excludePlatforms || []).length || !attributes.noEngineReferences || !attributes.autoReferenced)
  problems.push("Attributes asmdef: every platform, no engine references, auto-referenced");
const standalone = ["Editor", "LinuxStandalone64", "macOSStandalone", "WindowsStandalone32", "WindowsStandalone64"];
if (JSON.stringify(runtime.includePlatforms) !== JSON.stringify(standalone) || (runtime.excludePlatforms || []).length) problems.push("Runtime asmdef: includePlatforms must be " + JSON.stringify(standalone));
if ((runtime.references || []).some((r) => /Editor/.test(r))) problems.push("Runtime asmdef must not reference editor assemblies");
for (const [name, asm] of [["Editor", editor], ["Tests", tests]]) if (!asm.references.includes(attributes.name)) problems.push(name + " asmdef must reference " + attributes.name);
if (JSON.stringify(editor.includePlatforms) !== "[\"Editor\"]") problems.push("Editor asmdef: includePlatforms must be [\"Editor\"]");
if (!editor.references.includes(runtime.name)) problems.push("Editor asmdef must reference " + runtime.name);
if (JSON.stringify(tests.includePlatforms) !== "[\"Editor\"]" || !tests.defineConstraints.includes("UNITY_INCLUDE_TESTS")) problems.push("Tests asmdef must be editor-only with UNITY_INCLUDE_TESTS");
if (problems.length) { console.error(problems.join("\n")); process.exit(1); }
' "$PKG" >&2 || fail_build "the package manifest or asmdefs"
"$ROOT/scripts/unity-meta.sh" --check || fail_build "missing .meta files"

rm -rf "$OUT"
mkdir -p "$OUT"
cp "$NEWTONSOFT" "$NUNIT" "$OUT/"

sources() { find "$1" -name '*.cs' | sort; }
compile() { # out-name, references..., -- sources...
  local out="$1"; shift
  local refs=()
  while [ "$1" != "--" ]; do refs+=("-r:$1"); shift; done
  shift
  mcs -langversion:7.2 -debug -nowarn:67,649,169,414 -warnaserror+ -target:library \
      -r:System.dll -r:System.Core.dll -r:System.Net.Http.dll "${refs[@]}" -out:"$OUT/$out" "$@" >&2
}


compile UnityEngine.dll -- $(sources "$STANDINS/UnityEngine") || fail_build "compilation failed: Unity stand-ins (UnityEngine)"
compile UnityEditor.dll "$OUT/UnityEngine.dll" -- $(sources "$STANDINS/UnityEditor") || fail_build "compilation failed: Unity stand-ins (UnityEditor)"
# Attributes (noEngineReferences) get nothing but the base library; Runtime gets no UnityEditor
# reference: editor code in Runtime/ fails to compile here, as in a player build.
compile Metabalance.Attributes.dll -- $(sources "$PKG/Runtime/Attributes") || fail_build "compilation failed: Runtime/Attributes/"
compile Metabalance.Runtime.dll "$OUT/UnityEngine.dll" "$NEWTONSOFT" -- $(find "$PKG/Runtime" -name '*.cs' -not -path "$PKG/Runtime/Attributes/*" | sort) || fail_build "compilation failed: Runtime/"
compile Metabalance.Editor.dll "$OUT/UnityEngine.dll" "$OUT/UnityEditor.dll" "$OUT/Metabalance.Attributes.dll" "$OUT/Metabalance.Runtime.dll" "$NEWTONSOFT" -- $(sources "$PKG/Editor") || fail_build "compilation failed: Editor/"
# The samples as a standalone player compiles them, and as a WebGL one (no Runtime assembly there).
compile Metabalance.Samples.dll "$OUT/UnityEngine.dll" "$OUT/Metabalance.Attributes.dll" "$OUT/Metabalance.Runtime.dll" "$NEWTONSOFT" -- -define:UNITY_STANDALONE $(sources "$PKG/Samples~") || fail_build "compilation failed: Samples~/ (standalone)"
compile Metabalance.Samples.WebGL.dll "$OUT/UnityEngine.dll" "$OUT/Metabalance.Attributes.dll" -- -define:UNITY_WEBGL $(sources "$PKG/Samples~") || fail_build "compilation failed: Samples~/ (WebGL: no Runtime assembly)"
compile Metabalance.Editor.Tests.dll "$OUT/UnityEngine.dll" "$OUT/UnityEditor.dll" "$OUT/Metabalance.Attributes.dll" "$OUT/Metabalance.Runtime.dll" \
  "$OUT/Metabalance.Editor.dll" "$NEWTONSOFT" "$NUNIT" -- $(sources "$PKG/Tests/Editor") $(sources "$STANDINS/NUnitShim") || fail_build "compilation failed: Tests/Editor/"

export METABALANCE_REQUIRE_SIDECAR=1
set +e
nunit-console -nologo -noshadow -labels "$OUT/Metabalance.Editor.Tests.dll" -xml="$OUT/TestResult.xml" ${NUNIT_RUN:+-run="$NUNIT_RUN"} >&2
status=$?
set -e
if [ ! -f "$OUT/TestResult.xml" ]; then
  echo "test-unity: nunit-console wrote no results (exit $status)" >&2
  echo "0 passed, 1 failed"
  exit 1
fi
# NUnit 2.6 counts failures and errors apart, and its total counts only the tests that ran (an
# inconclusive one among them); a test that was ignored, skipped or inconclusive counts as failed,
# so the suite cannot go green by not running something.
read -r total failures errors notrun inconclusive < <(sed -n 's/.*<test-results [^>]*total="\([0-9]*\)" errors="\([0-9]*\)" failures="\([0-9]*\)" not-run="\([0-9]*\)" inconclusive="\([0-9]*\)".*/\1 \3 \2 \4 \5/p' "$OUT/TestResult.xml") || true
[ -n "${inconclusive:-}" ] || { echo "test-unity: cannot read the counts in $OUT/TestResult.xml" >&2; echo "0 passed, 1 failed"; exit 1; }
failed=$((failures + errors + notrun + inconclusive))
passed=$((total - failures - errors - inconclusive))
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$status" -eq 0 ]
