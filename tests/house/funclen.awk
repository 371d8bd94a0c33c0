# tests/house/funclen.awk - the length of every function defined in C
# files written in KNF (style(9)): the name at column 0 followed by "(",
# the body from a "{" to a "}" at column 0. Prints one line a function,
#   FILE:LINE NAME LINES
# LINES counts from the name's line to the closing brace. Usage:
#   awk -f tests/house/funclen.awk src/*/*.c | sort -k3 -n -r | head
FNR == 1 {
	name = ""
	inbody = 0
}
!inbody && /^[A-Za-z_][A-Za-z0-9_]*\(/ {
	name = $0
	sub(/\(.*/, "", name)
	start = FNR
	next
}
!inbody && name != "" && /^\{/ {
	inbody = 1
	next
}
# a prototype (its last line ends with ";"), not a definition
!inbody && name != "" && /;[ \t]*$/ {
	name = ""
	next
}
inbody && /^\}/ {
	printf "%s:%d %s %d\n", FILENAME, start, name, FNR - start + 1
	inbody = 0
	name = ""
}
