#!/usr/bin/env bash
# Vulnerability database import and scan times at realistic size.
#
# Builds the python3 preset image (debian12 amd64, from the host's mirror),
# generates a Security Tracker export the size of the real one (ISSUES issues
# over PACKAGES source packages, each in bullseye, bookworm, trixie and sid;
# the image's own source packages get 20 to 400 issues each, with a mix of
# fixed-before, fixed-after, not-affected, open and ignored/postponed
# records), then measures `distill db import` once, `distill scan` (median of
# RUNS) with the image's inventory recorded in the cache (the first scan
# records it, docs/cache.md) and with --no-cache (reading every layer), and,
# for comparison, `distill inspect` on the same image (the same layer reading).
#   bench/scan.sh [path/to/distill] [runs] [issues] [packages]
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
distill="$(realpath "${1:-build/release/src/distill}")"
runs="${2:-7}"
issues="${3:-50000}"
packages="${4:-4000}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

cat >"$work/distill.yaml" <<'SPEC'
distro: debian12
archs: [amd64]
base: python3
SPEC
"$distill" --cache-dir "$work/cache" -q build -f "$work/distill.yaml" -o "$work/image" >/dev/null
"$distill" inspect --json "$work/image" >"$work/inspect.json"

python3 - "$work/inspect.json" "$work/tracker.json" "$issues" "$packages" <<'PY'
import json, random, sys
inspect, out, n_issues, n_packages = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
rng = random.Random(42)
image_sources = {}
for img in json.load(open(inspect))["images"]:
    for p in img["packages"]:
        image_sources[p["source"]] = p["source_version"]
names = sorted(image_sources) + ["pkg%05d" % i for i in range(n_packages - len(image_sources))]
urgencies = ["unimportant", "low", "low*", "medium", "medium**", "high", "not yet assigned",
             "end-of-life"]
releases = ["bullseye", "bookworm", "trixie", "sid"]
# The image's source packages get as many issues as the real export gives
# such packages (glibc, openssl, python3.11: a few hundred each); the rest
# are spread over the other packages.
owners = []
for src in sorted(image_sources):
    owners += [src] * rng.randint(20, 400)
owners += [rng.choice(names[len(image_sources):]) for _ in range(n_issues - len(owners))]
data = {}
for i, pkg in enumerate(owners[:n_issues]):
    installed = image_sources.get(pkg, "1.0-1")
    rec = {"description": "generated issue %d in %s " % (i, pkg) + "x" * rng.randint(50, 300),
           "scope": "remote", "releases": {}}
    for rel in releases:
        kind = rng.random()
        r = {"repositories": {rel: installed}, "urgency": rng.choice(urgencies)}
        if kind < 0.55:
            r.update(status="resolved", fixed_version=installed + ("+fix1" if rng.random() < 0.2
                                                                     else "~old1"))
        elif kind < 0.7:
            r.update(status="resolved", fixed_version="0")
        elif kind < 0.9:
            r.update(status="open")
        else:
            r.update(status="open", nodsa="Minor issue",
                     nodsa_reason=rng.choice(["ignored", "postponed"]))
        rec["releases"][rel] = r
    data.setdefault(pkg, {})["CVE-2099-%06d" % i] = rec
json.dump(data, open(out, "w"))
PY

measure() {  # prints "seconds max_rss_kib cpu_seconds" for one run of "$@"
  /usr/bin/time -f "%e %M %U %S" -o "$work/t" "$@" >/dev/null 2>&1
  awk '{printf "%s %s %.2f\n", $1, $2, $3 + $4}' "$work/t"
}

db="$work/vulndb.sqlite"
read -r imp_t imp_m _ < <(measure "$distill" db import --db "$db" "$work/tracker.json")
scan=("$distill" --cache-dir "$work/cache" scan --db "$db" --format json)
"${scan[@]}" "$work/image" >/dev/null  # records the inventory
: >"$work/s"
for _ in $(seq "$runs"); do
  measure "${scan[@]}" "$work/image" >>"$work/s"
done
s_t=$(cut -d' ' -f1 "$work/s" | median); s_m=$(cut -d' ' -f2 "$work/s" | median)
s_c=$(cut -d' ' -f3 "$work/s" | median)
: >"$work/n"
for _ in $(seq "$runs"); do
  measure "${scan[@]}" --no-cache "$work/image" >>"$work/n"
done
n_t=$(cut -d' ' -f1 "$work/n" | median); n_m=$(cut -d' ' -f2 "$work/n" | median)
n_c=$(cut -d' ' -f3 "$work/n" | median)
: >"$work/i"
for _ in $(seq "$runs"); do
  measure "$distill" inspect "$work/image" >>"$work/i"
done
i_t=$(cut -d' ' -f1 "$work/i" | median)
findings=$("${scan[@]}" "$work/image" |
           python3 -c 'import json,sys; print(len(json.load(sys.stdin)["findings"]))')
pkgs=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["images"][0]["packages"]))' \
       "$work/inspect.json")
echo "tracker export: $(du -h "$work/tracker.json" | cut -f1), $issues issues over $packages source packages, 4 releases"
echo "database: $(du -h "$db" | cut -f1)"
printf "  db import          %6.3f s  peak %6.1f MiB\n" "$imp_t" "$(echo "$imp_m/1024" | bc -l)"
printf "  scan (median/%d)    %6.3f s  cpu %5.2f s  peak %6.1f MiB  (%s packages, %s findings; inventory cached)\n" \
  "$runs" "$s_t" "$s_c" "$(echo "$s_m/1024" | bc -l)" "$pkgs" "$findings"
printf "  scan --no-cache     %6.3f s  cpu %5.2f s  peak %6.1f MiB  (reading every layer)\n" "$n_t" \
  "$n_c" "$(echo "$n_m/1024" | bc -l)"
printf "  inspect (median/%d) %6.3f s  (reading and verifying the same layers)\n" "$runs" "$i_t"
