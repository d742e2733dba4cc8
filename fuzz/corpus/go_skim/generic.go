package store

import "strings"

type Set[T comparable] map[T]struct{}

func Keys[K comparable, V any](m map[K]V) []K {
	out := make([]K, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

func build(cols []string) string {
	var b strings.Builder
	b.WriteString("SELECT ")
	b.WriteString(strings.Join(cols, ", "))
	b.WriteString(` FROM items`)
	return b.String()
}

func runes() []rune { return []rune{'a', '\'', '"', '`'} }
