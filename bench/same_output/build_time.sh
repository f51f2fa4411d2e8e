#!/usr/bin/env bash
# Clean release builds of two commits, interleaved (old, new, new, old, ...), without
# ccache: the wall time of `cmake --build` (all targets, tests included) and the compile
# time summed over files from Ninja's log, per top folder. About 4 minutes a build on 2 cores.
#
#   bench/same_output/build_time.sh OLD_COMMIT NEW_COMMIT [PAIRS]     (default 2 pairs)
set -euo pipefail
old=$1 new=$2 pairs=${3:-2}
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
trap 'git -C "$root" worktree prune; rm -rf "$work"' EXIT

build() {  # build COMMIT LABEL
    local src="$work/src_$2" bin="$work/build_$2"
    git -C "$root" worktree add -f --detach "$src" "$1" >/dev/null 2>&1
    cmake -S "$src" -B "$bin" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_COMPILER_LAUNCHER= >/dev/null
    local start end
    start=$(date +%s.%N)
    cmake --build "$bin" --parallel "$(nproc)" >"$work/log_$2" 2>&1
    end=$(date +%s.%N)
    cp "$bin/.ninja_log" "$work/ninja_$2"
    echo "$2 $(echo "$end - $start" | bc)" >>"$work/times"
    git -C "$root" worktree remove --force "$src"
    rm -rf "$bin"
}

for ((i = 0; i < pairs; ++i)); do
    if ((i % 2 == 0)); then build "$old" "old_$i"; build "$new" "new_$i"; else build "$new" "new_$i"; build "$old" "old_$i"; fi
done

/usr/bin/python3 - "$work" <<'EOF'
import collections, pathlib, statistics, sys
work = pathlib.Path(sys.argv[1])
wall = collections.defaultdict(list)
for line in (work / "times").read_text().split("\n"):
    if line:
        label, seconds = line.split()
        wall[label.split("_")[0]].append(float(seconds))
def compile_seconds(label):
    per = collections.Counter()
    for line in (work / f"ninja_{label}").read_text().split("\n"):
        if line and not line.startswith("#"):
            start, end, _, out, _ = line.split("\t")
            per[out.split("/")[0] if not out.startswith("/") else "cmake"] += (int(end) - int(start)) / 1000
    return per
folders = collections.defaultdict(lambda: collections.defaultdict(list))
for f in work.glob("ninja_*"):
    kind = f.name.split("_")[1]
    for folder, s in compile_seconds(f.name[len("ninja_"):]).items():
        folders[kind][folder].append(s)
print("wall (s), medians: old {:.1f}  new {:.1f}  (old {}, new {})".format(
    statistics.median(wall["old"]), statistics.median(wall["new"]), wall["old"], wall["new"]))
print(f"{'folder':<12} {'old (s)':>8} {'new (s)':>8}")
names = sorted(set(folders["old"]) | set(folders["new"]))
for n in names:
    o, w = folders["old"].get(n, [0.0]), folders["new"].get(n, [0.0])
    print(f"{n:<12} {statistics.median(o):8.1f} {statistics.median(w):8.1f}")
print(f"{'all files':<12} {sum(statistics.median(folders['old'].get(n, [0.0])) for n in names):8.1f} "
      f"{sum(statistics.median(folders['new'].get(n, [0.0])) for n in names):8.1f}")
EOF
