package linkage

import "tally"

// A pass is one blocking rule: the keys under which a left record is filed,
// and the keys a right record looks up. A pair is a candidate when any pass
// files the left record under a key the right one looks up. Keys are
// hashes of small integers; a collision only adds a candidate.
type pass struct {
	name  string
	left  func(p *prepped, out []uint64) []uint64
	right func(p *prepped, out []uint64) []uint64
}

func mix(vals ...uint64) uint64 {
	h := uint64(0x9E3779B97F4A7C15)
	for _, v := range vals {
		h ^= v + 0x9E3779B97F4A7C15 + (h << 6) + (h >> 2)
		h *= 0xBF58476D1CE4E5B9
		h ^= h >> 31
	}
	return h
}

func year(p *prepped) uint64 { return uint64(p.date.Year) }

func same(f func(p *prepped, out []uint64) []uint64) (func(*prepped, []uint64) []uint64, func(*prepped, []uint64) []uint64) {
	return f, f
}

// initial returns the first letter of a skeleton (0 if none).
func initial(t *table, id int32) uint64 {
	if s := t.strs[id]; s != "" {
		return uint64(s[0])
	}
	return 0
}

// prefix returns the id-independent hash of the first n bytes of a
// skeleton.
func prefix(t *table, id int32, n int) uint64 {
	s := t.strs[id]
	if len(s) > n {
		s = s[:n]
	}
	h := uint64(len(s))
	for i := 0; i < len(s); i++ {
		h = h<<8 | uint64(s[i])
	}
	return h
}

// passes are the blocking rules. Each catches what the others miss; their
// union keeps nearly every true pair while proposing a few candidates per
// row:
//
//   - surname+given-initial: the surname agrees by names.Key, the given
//     names begin with the same consonant sound, whatever the dates say;
//   - surname+birth-year: the given name is mistyped or absent;
//   - given+patronymic+birth-year, by names.Key and by sound: the surname is
//     mistyped or in a form neither relates;
//   - birth-date: the full date, and the date with day and month swapped;
//   - swapped-names: surname and given name in each other's columns;
//   - sound-surname+given: skeletons (sound.go), for transliterations and
//     typos the names package's keys do not fold;
//   - sound-surname+birth-year;
//   - sound-surname-prefix+given-initial: a typo late in the surname and a
//     date that does not help;
//   - sound-given+patronymic: surname and date both unhelpful;
//   - service-number: the folded number.
func passes(t *table) []pass {
	var ps []pass
	add := func(name string, l, r func(*prepped, []uint64) []uint64) {
		ps = append(ps, pass{name: name, left: l, right: r})
	}
	l, r := same(func(p *prepped, out []uint64) []uint64 {
		if p.p[0].key != 0 && p.p[1].skel != 0 {
			out = append(out, mix(1, uint64(p.p[0].key), initial(t, p.p[1].skel)))
		}
		return out
	})
	add("surname+given-initial", l, r)
	l, r = same(func(p *prepped, out []uint64) []uint64 {
		if p.p[0].key != 0 && p.date.Year != 0 {
			out = append(out, mix(2, uint64(p.p[0].key), year(p)))
		}
		return out
	})
	add("surname+birth-year", l, r)
	l, r = same(func(p *prepped, out []uint64) []uint64 {
		if p.p[1].key != 0 && p.p[2].key != 0 && p.date.Year != 0 {
			out = append(out, mix(3, uint64(p.p[1].key), uint64(p.p[2].key), year(p)))
		}
		return out
	})
	add("given+patronymic+birth-year", l, r)
	l, r = same(func(p *prepped, out []uint64) []uint64 {
		if p.p[1].skel != 0 && p.p[2].skel != 0 && p.date.Year != 0 {
			out = append(out, mix(8, uint64(p.p[1].skel), uint64(p.p[2].skel), year(p)))
		}
		return out
	})
	add("sound-given+patronymic+birth-year", l, r)
	add("birth-date", func(p *prepped, out []uint64) []uint64 {
		if d := p.date; d.Precision == tally.FullDate {
			out = append(out, mix(4, uint64(d.Year), uint64(d.Month), uint64(d.Day)))
		}
		return out
	}, func(p *prepped, out []uint64) []uint64 {
		if d := p.date; d.Precision == tally.FullDate {
			out = append(out, mix(4, uint64(d.Year), uint64(d.Month), uint64(d.Day)))
			if d.Day <= 12 && d.Day != int(d.Month) {
				out = append(out, mix(4, uint64(d.Year), uint64(d.Day), uint64(d.Month)))
			}
		}
		return out
	})
	add("swapped-names", func(p *prepped, out []uint64) []uint64 {
		if p.p[0].key != 0 && p.p[1].key != 0 {
			out = append(out, mix(5, uint64(p.p[0].key), uint64(p.p[1].key)))
		}
		return out
	}, func(p *prepped, out []uint64) []uint64 {
		if p.x[0].key != 0 && p.x[1].key != 0 {
			out = append(out, mix(5, uint64(p.x[0].key), uint64(p.x[1].key)))
		}
		return out
	})
	l, r = same(func(p *prepped, out []uint64) []uint64 {
		if p.p[0].skel != 0 && p.p[1].skel != 0 {
			out = append(out, mix(11, uint64(p.p[0].skel), uint64(p.p[1].skel)))
		}
		return out
	})
	add("sound-surname+given", l, r)
	l, r = same(func(p *prepped, out []uint64) []uint64 {
		if p.p[0].skel != 0 && p.date.Year != 0 {
			out = append(out, mix(6, uint64(p.p[0].skel), year(p)))
		}
		return out
	})
	add("sound-surname+birth-year", l, r)
	l, r = same(func(p *prepped, out []uint64) []uint64 {
		if p.p[0].skel != 0 && p.p[1].skel != 0 {
			out = append(out, mix(9, prefix(t, p.p[0].skel, 3), initial(t, p.p[1].skel), initial(t, p.p[2].skel)))
		}
		return out
	})
	add("sound-surname-prefix+initials", l, r)
	l, r = same(func(p *prepped, out []uint64) []uint64 {
		if p.p[1].skel != 0 && p.p[2].skel != 0 && p.date.Precision == tally.FullDate {
			out = append(out, mix(10, uint64(p.p[1].skel), uint64(p.p[2].skel), uint64(p.date.Month), uint64(p.date.Day)))
		}
		return out
	})
	add("sound-given+patronymic+birth-day", l, r)
	l, r = same(func(p *prepped, out []uint64) []uint64 {
		if p.svc != 0 {
			out = append(out, mix(7, uint64(p.svc)))
		}
		return out
	})
	add("service-number", l, r)
	return ps
}

// index is one pass's blocks of left records, in compressed rows: block b
// holds lefts[start[b]:start[b+1]].
type index struct {
	blocks map[uint64]int32
	start  []int32
	lefts  []int32
	rights []int32 // how many right records look the block up
	skip   []bool  // block exceeds the cap
}

func buildIndex(ps *pass, left, right []prepped, capPairs int, st *PassStats) *index {
	ix := &index{blocks: make(map[uint64]int32, len(left))}
	var buf []uint64
	counts := []int32{}
	// first sweep: block ids and sizes
	ids := make([]int32, 0, len(left))
	owner := make([]int32, 0, len(left))
	for i := range left {
		buf = ps.left(&left[i], buf[:0])
		for _, k := range dedupKeys(buf) {
			b, ok := ix.blocks[k]
			if !ok {
				b = int32(len(counts))
				ix.blocks[k] = b
				counts = append(counts, 0)
			}
			counts[b]++
			ids = append(ids, b)
			owner = append(owner, int32(i))
		}
	}
	ix.start = make([]int32, len(counts)+1)
	for b, c := range counts {
		ix.start[b+1] = ix.start[b] + c
	}
	ix.lefts = make([]int32, len(ids))
	fill := make([]int32, len(counts))
	copy(fill, ix.start[:len(counts)])
	for j, b := range ids {
		ix.lefts[fill[b]] = owner[j]
		fill[b]++
	}
	ix.rights = make([]int32, len(counts))
	for i := range right {
		buf = ps.right(&right[i], buf[:0])
		for _, k := range dedupKeys(buf) {
			if b, ok := ix.blocks[k]; ok {
				ix.rights[b]++
			}
		}
	}
	ix.skip = make([]bool, len(counts))
	for b := range counts {
		n := int64(counts[b]) * int64(ix.rights[b])
		if n > int64(capPairs) {
			ix.skip[b] = true
			st.OversizeBlocks++
			st.SkippedPairs += n
		}
	}
	return ix
}

// dedupKeys removes repeated keys from a short slice, in place.
func dedupKeys(k []uint64) []uint64 {
	if len(k) < 2 {
		return k
	}
	out := k[:1]
	for _, v := range k[1:] {
		dup := false
		for _, w := range out {
			if v == w {
				dup = true
				break
			}
		}
		if !dup {
			out = append(out, v)
		}
	}
	return out
}
