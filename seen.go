package tally

// seenIndex remembers, for duplicate finding, a few bytes per row of a list
// that may have millions: 64-bit hashes in an open-addressing table of
// plain integers (nothing for the garbage collector to scan), and the refs
// of earlier rows copied into one arena, so that no row's text is kept
// alive by a reference into it.
type seenIndex struct {
	keys  []uint64 // 0 marks an empty slot
	vals  []int32
	count int
}

// get returns the value stored under key k.
func (s *seenIndex) get(k uint64) (int32, bool) {
	if len(s.keys) == 0 {
		return 0, false
	}
	k |= 1 // 0 marks an empty slot; losing one bit of a 64-bit hash is harmless
	mask := uint64(len(s.keys) - 1)
	for i := k & mask; ; i = (i + 1) & mask {
		switch s.keys[i] {
		case k:
			return s.vals[i], true
		case 0:
			return 0, false
		}
	}
}

// put stores v under key k, replacing any value stored before.
func (s *seenIndex) put(k uint64, v int32) {
	if (s.count+1)*4 >= len(s.keys)*3 { // at most three quarters full
		s.grow()
	}
	k |= 1
	mask := uint64(len(s.keys) - 1)
	for i := k & mask; ; i = (i + 1) & mask {
		switch s.keys[i] {
		case k:
			s.vals[i] = v
			return
		case 0:
			s.keys[i], s.vals[i] = k, v
			s.count++
			return
		}
	}
}

func (s *seenIndex) grow() {
	old, oldVals := s.keys, s.vals
	n := max(1024, 2*len(old))
	s.keys, s.vals, s.count = make([]uint64, n), make([]int32, n), 0
	for i, k := range old {
		if k != 0 {
			s.put(k, oldVals[i])
		}
	}
}

// refArena holds the refs of seen rows back to back.
type refArena struct {
	bytes []byte
	ends  []uint32 // ends[i] is where ref i ends in bytes
}

func (a *refArena) add(ref string) {
	a.bytes = append(a.bytes, ref...)
	a.ends = append(a.ends, uint32(len(a.bytes)))
}

func (a *refArena) get(i int32) string {
	start := uint32(0)
	if i > 0 {
		start = a.ends[i-1]
	}
	return string(a.bytes[start:a.ends[i]])
}
