# shellcheck shell=bash disable=SC2154
# The table's rows, for bench.sh and run: set table= (the file each row
# is added to) before a row.
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }
# row WORK SVFF_MS ANCHOR ANCHOR_MS GOAL: a table line; GOAL is a ratio
# ("<= 0.35") or "-"
row() {
	local r verdict=-
	r=$(ratio "$2" "$4")
	if [ "$5" != - ]; then
		verdict="$5 $(awk -v r="$r" -v g="${5#<= }" 'BEGIN { print ((r + 0 <= g + 0) ? "met" : "MISSED") }')"
	fi
	printf '| %s | %s ms | %s | %s ms | %s | %s |\n' "$1" "$2" "$3" "$4" "$r" "$verdict" |
		tee -a "$table"
}

