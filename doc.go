// Package tally is the domain of tally: the humanitarian agreements two
// parties reach through a mediator, the lists each side submits under them,
// and the conformity check that says, for every row of a list, whether it
// fits the agreed terms and, if not, why.
//
// The package knows nothing of files, SQL or HTTP. Readers of list files
// (package listfile), agreement files (package agreementfile) and the stores
// (packages sqlite and postgres, sharing sqlstore) depend on it, never the
// other way round. Operations that change what is stored go through
// [Service], which checks, then writes in one transaction of a [Store].
package tally
