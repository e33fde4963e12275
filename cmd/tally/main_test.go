package main

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

var update = flag.Bool("update", false, "rewrite the expected outputs of script tests")

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"tally": func() { os.Exit(Main(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr)) },
	})
}

// TestScripts runs the command line end to end: each testdata/script/*.txtar
// is a session of commands with the files they read and the output they
// must print. Run with -update to rewrite expected outputs after a
// deliberate change, and read the diff.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/script",
		UpdateScripts:       *update,
		RequireExplicitExec: true,
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			// flipbyte FILE OFFSET flips the low bit of one byte of FILE.
			"flipbyte": func(ts *testscript.TestScript, neg bool, args []string) {
				if len(args) != 2 {
					ts.Fatalf("usage: flipbyte FILE OFFSET")
				}
				path := ts.MkAbs(args[0])
				b, err := os.ReadFile(path)
				ts.Check(err)
				off, err := strconv.Atoi(args[1])
				ts.Check(err)
				b[off] ^= 1
				ts.Check(os.WriteFile(path, b, 0o644))
			},
		},
		Setup: func(env *testscript.Env) error {
			// Each script gets its own default store.
			env.Setenv("XDG_DATA_HOME", filepath.Join(env.WorkDir, "data"))
			return nil
		},
	})
}
