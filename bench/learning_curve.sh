#!/usr/bin/env bash
# The learning curve of docs/nlu.md: build/bench/learning_curve on banking77-oos and hwu64
# (validation splits), its tables, and docs/learning_curve.png drawn by gnuplot.
#   bench/learning_curve.sh [BUILD_DIR]      (default: build; needs gnuplot: make bench-deps)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
for set in banking77-oos hwu64; do
  "$build/bench/learning_curve" --set="$set" --out="docs/learning_curve_$set.dat"
done
gnuplot <<'PLOT'
set terminal pngcairo size 800,560 font ",10"
set output "docs/learning_curve.png"
set title "10 topics × 1 phrasing, the owner labels every miss (10 owners per set, validation splits)"
set xlabel "questions asked (window of 50)"
set ylabel "%"
set yrange [0:100]
set xrange [40:310]
set xtics 50
set key below maxcols 3
set grid ytics
plot "docs/learning_curve_banking77-oos.dat" using 1:2 with linespoints lc 1 pt 7 title "banking77-oos answered right", \
     "" using 1:3 with linespoints lc 1 pt 2 dt 2 title "banking77-oos wrong", \
     "" using 1:4 with linespoints lc 1 pt 4 dt 3 title "banking77-oos out-of-scope declined", \
     "docs/learning_curve_hwu64.dat" using 1:2 with linespoints lc 2 pt 7 title "hwu64 answered right", \
     "" using 1:3 with linespoints lc 2 pt 2 dt 2 title "hwu64 wrong", \
     "" using 1:4 with linespoints lc 2 pt 4 dt 3 title "hwu64 out-of-scope declined"
PLOT
echo "wrote docs/learning_curve.png"
