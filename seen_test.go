package tally

import (
	"strconv"
	"testing"
)

func TestSeenIndex(t *testing.T) {
	var s seenIndex
	const n = 100_000
	for i := int32(0); i < n; i++ {
		s.put(uint64(i)*0x9E3779B97F4A7C15, i)
	}
	s.put(0, 7) // the key that marks empty slots is stored all the same
	for i := int32(0); i < n; i++ {
		if v, ok := s.get(uint64(i) * 0x9E3779B97F4A7C15); !ok || v != i && i != 0 {
			t.Fatalf("get(%d) = %d, %v", i, v, ok)
		}
	}
	if v, ok := s.get(0); !ok || v != 7 {
		t.Fatalf("get(0) = %d, %v", v, ok)
	}
	if _, ok := s.get(12345); ok {
		t.Fatal("found a key never stored")
	}
	var a refArena
	for i := 0; i < 1000; i++ {
		a.add("UA-" + strconv.Itoa(i))
	}
	if a.get(0) != "UA-0" || a.get(999) != "UA-999" {
		t.Fatalf("arena: %q %q", a.get(0), a.get(999))
	}
}
