# bench/lib.sh — shell helpers the benchmark scripts share; sourced, not run.
# The sourcing script defines die.

# free_port: a TCP port on 127.0.0.1 that nothing listens on right now.
free_port() {
	local p i
	for ((i = 0; i < 50; i++)); do
		p=$((20000 + RANDOM % 40000))
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
			echo "$p"
			return
		fi
	done
	die "no free TCP port on 127.0.0.1"
}
