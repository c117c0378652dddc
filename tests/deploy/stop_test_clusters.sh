#!/usr/bin/env bash
# ctest's cleanup fixture of the deploy tests (tests/deploy/CMakeLists.txt): stops every
# local cluster still running under ROOT (the tests' TMPDIR) and removes ROOT. ctest runs it
# after the deploy tests even when it killed one on its timeout, before its TearDown ran.
#
#   stop_test_clusters.sh ROOT SOURCE_DIR
set -u
root="${1:?ROOT}" source_dir="${2:?SOURCE_DIR}"
[ -d "$root" ] || exit 0
status=0
while IFS= read -r -d '' env_file; do
  "$source_dir/deploy/local-cluster.sh" stop --dir "$(dirname "$env_file")" || status=1
done < <(find "$root" -name cluster.env -print0)
rm -rf "$root"
exit "$status"
