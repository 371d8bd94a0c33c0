# tests/house/cycles.awk - the cycles of a directed graph: reads edges
# "A B" (A uses B), prints each set of nodes that reach one another, one
# line a set, names sorted and separated by " <-> ". Transitive closure
# (Warshall): the graphs here have tens of nodes.
{
	if ($1 == $2)
		next
	for (i = 1; i <= 2; i++)
		if (!($i in id)) {
			id[$i] = ++n
			name[n] = $i
		}
	r[id[$1], id[$2]] = 1
}
END {
	for (k = 1; k <= n; k++)
		for (i = 1; i <= n; i++)
			if ((i, k) in r)
				for (j = 1; j <= n; j++)
					if ((k, j) in r)
						r[i, j] = 1
	for (i = 1; i <= n; i++) {
		if (i in done || !((i, i) in r))
			continue
		m = 0
		for (j = 1; j <= n; j++)
			if ((i, j) in r && (j, i) in r) {
				done[j] = 1
				set[++m] = name[j]
			}
		# insertion sort: a few names
		for (a = 2; a <= m; a++)
			for (b = a; b > 1 && set[b - 1] > set[b]; b--) {
				t = set[b]
				set[b] = set[b - 1]
				set[b - 1] = t
			}
		line = set[1]
		for (a = 2; a <= m; a++)
			line = line " <-> " set[a]
		print line
	}
}
