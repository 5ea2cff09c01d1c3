#!/usr/bin/env bash
# Static analysis of the project's code, failing on any finding:
#   cppcheck:   --enable=warning,performance,portability over events, commands,
#               projections, api and tools (about a minute on 2 cores; CI).
#   clang-tidy: with --tidy, the check set of .clang-tidy (bugs the compiler
#               does not catch) over every project source in build/'s
#               compile_commands.json (about half an hour on 2 cores: not CI).
# A finding that is wrong for a reason stays suppressed where it is, with the
# reason beside it (// cppcheck-suppress ID, // NOLINT(check)).
#   tools/lint.sh [--tidy]
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${1:-}" = "--tidy" ]; then
  [ -f build/compile_commands.json ] || tools/build.sh
  python3 - <<'PY' | xargs -0 -r -n 4 -P "$(nproc)" clang-tidy -p build --quiet
import json, os
for entry in json.load(open("build/compile_commands.json")):
    path = os.path.relpath(entry["file"])
    if path.split(os.sep)[0] in ("events", "commands", "projections", "api", "tools"):
        print(path, end="\0")
PY
  echo "clang-tidy: no findings"
  exit 0
fi
report=$(mktemp)
trap 'rm -f "$report"' EXIT
cppcheck --std=c++20 --language=c++ --enable=warning,performance,portability --inline-suppr --quiet \
  --error-exitcode=1 --template='{file}:{line}: {severity} {id}: {message}' -j "$(nproc)" -I . \
  events commands projections api tools 2>"$report" || true
if [ -s "$report" ]; then
  cat "$report" >&2
  echo "cppcheck: $(wc -l <"$report") finding(s)" >&2
  exit 1
fi
echo "cppcheck: no findings"
