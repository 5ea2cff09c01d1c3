#!/usr/bin/env bash
# Static analysis of the project's code, failing on any finding:
#   cppcheck: --enable=warning,performance,portability over events, commands,
#             projections, api and tools (about a minute on 2 cores).
# A finding that is wrong for a reason stays suppressed where it is, with the
# reason beside it (// cppcheck-suppress ID).
#   tools/lint.sh
set -euo pipefail
cd "$(dirname "$0")/.."
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
