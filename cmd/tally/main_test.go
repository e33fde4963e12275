package main

import (
	"context"
	"flag"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

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
			// waitfor ADDR waits, at most ten seconds, until something
			// listens at ADDR.
			"waitfor": func(ts *testscript.TestScript, neg bool, args []string) {
				deadline := time.Now().Add(10 * time.Second)
				for {
					c, err := net.Dial("tcp", args[0])
					if err == nil {
						c.Close()
						return
					}
					if time.Now().After(deadline) {
						ts.Fatalf("nothing listens at %s: %v", args[0], err)
					}
					time.Sleep(20 * time.Millisecond)
				}
			},
			// envfile NAME FILE sets NAME to FILE's content, trimmed: a
			// token a command printed, for the commands after it.
			"envfile": func(ts *testscript.TestScript, neg bool, args []string) {
				if len(args) != 2 {
					ts.Fatalf("usage: envfile NAME FILE")
				}
				ts.Setenv(args[0], strings.TrimSpace(ts.ReadFile(args[1])))
			},
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
			// Free loopback addresses for daemons a script starts.
			for _, name := range []string{"ADDR1", "ADDR2"} {
				ln, err := net.Listen("tcp", "127.0.0.1:0")
				if err != nil {
					return err
				}
				env.Setenv(name, ln.Addr().String())
				ln.Close()
			}
			return nil
		},
	})
}
