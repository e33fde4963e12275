package witness

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"golang.org/x/mod/sumdb/tlog"
)

// state is the witness's memory, kept in a JSON file:
//
//	{
//	  "version": 1,
//	  "logs": {
//	    "tally-log-TR": {
//	      "size": 120,
//	      "hash": "q2z…=",                 the root hash, base64
//	      "checkpoint": "tally-log-TR\n…",  the checkpoint as cosigned, with the cosignature
//	      "time": "2026-11-22T04:09:00Z",   the witness's clock when it cosigned
//	      "evidence": ["…"]                 checkpoints refused as forks, signed by the log
//	    }
//	  }
//	}
//
// A state is never changed in place: an update makes a new one, writes it,
// and only then replaces the old one in memory.
type state struct {
	Version int                  `json:"version"`
	Logs    map[string]*logState `json:"logs"`
}

type logState struct {
	Size       uint64    `json:"size"`
	Hash       string    `json:"hash"`
	Checkpoint string    `json:"checkpoint"`
	Time       time.Time `json:"time"`
	Evidence   []string  `json:"evidence,omitempty"`
}

const stateVersion = 1

func (l *logState) root() tlog.Hash {
	var h tlog.Hash
	b, _ := base64.StdEncoding.DecodeString(l.Hash) // checked by loadState
	copy(h[:], b)
	return h
}

// clone copies the map; the logStates are shared, never modified.
func (s *state) clone() *state {
	c := &state{Version: s.Version, Logs: make(map[string]*logState, len(s.Logs)+1)}
	for k, v := range s.Logs {
		c.Logs[k] = v
	}
	return c
}

func loadState(path string) (*state, error) {
	s := &state{Version: stateVersion, Logs: map[string]*logState{}}
	if path == "" {
		return s, nil
	}
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return s, nil
	}
	if err != nil {
		return nil, fmt.Errorf("witness: reading the state: %w", err)
	}
	if err := json.Unmarshal(b, s); err != nil {
		return nil, fmt.Errorf("witness: the state file %s is damaged (%v): restore it from a backup; never start a witness afresh for a log it has cosigned", path, err)
	}
	if s.Version != stateVersion {
		return nil, fmt.Errorf("witness: the state file %s has version %d; this witness reads version %d", path, s.Version, stateVersion)
	}
	if s.Logs == nil {
		s.Logs = map[string]*logState{}
	}
	for origin, l := range s.Logs {
		if l == nil {
			return nil, fmt.Errorf("witness: the state file %s is damaged: log %s has no state", path, origin)
		}
		h, err := base64.StdEncoding.DecodeString(l.Hash)
		if err != nil || len(h) != tlog.HashSize {
			return nil, fmt.Errorf("witness: the state file %s is damaged: log %s has no valid root hash", path, origin)
		}
	}
	return s, nil
}

// saveState writes s to path atomically: a temporary file in the same
// directory, synced, renamed over path, and the directory synced.
func saveState(path string, s *state) (err error) {
	if path == "" {
		return nil
	}
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return fmt.Errorf("witness: encoding the state: %w", err)
	}
	b = append(b, '\n')
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("witness: writing the state: %w", err)
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if _, err = f.Write(b); err != nil {
		return fmt.Errorf("witness: writing the state: %w", err)
	}
	if err = f.Sync(); err != nil {
		return fmt.Errorf("witness: writing the state: %w", err)
	}
	if err = f.Close(); err != nil {
		return fmt.Errorf("witness: writing the state: %w", err)
	}
	if err = os.Rename(f.Name(), path); err != nil {
		return fmt.Errorf("witness: writing the state: %w", err)
	}
	// Make the rename durable. Some file systems cannot sync a directory:
	// the file's data is synced already, so that is not an error.
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}
