package postgres_test

import (
	"testing"

	"tally/ledger"
	"tally/ledger/statetest"
	"tally/storetest"
)

func TestLogState(t *testing.T) {
	statetest.TestState(t, func(t *testing.T) ledger.State { return storetest.LogState(open(t)) })
}
