package ledger_test

import (
	"testing"

	"tally/ledger"
	"tally/ledger/statetest"
)

func TestMemState(t *testing.T) {
	statetest.TestState(t, func(t *testing.T) ledger.State { return ledger.NewMemState() })
}
