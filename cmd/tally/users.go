package main

import (
	"bufio"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"tally"
)

func (a *app) usersCommand() *cobra.Command {
	c := &cobra.Command{
		Use:   "users",
		Short: "Accounts of the service: organisations, people, roles and API tokens",
		Long: `users creates the accounts people sign in to the server with (tally serve), in
their organisation: a party, the mediator, a witness or an observer. Roles: viewer
reads what the organisation may read; clerk also imports the party's lists; signer
also takes the party's steps of the process; admin manages the organisation's
accounts. Run it on the server's store (--db) to create the first accounts.
Signers and admins confirm each sign-in with a security key; reset-2fa removes
a person's keys when one is lost.`,
	}
	c.AddCommand(a.usersAddCommand(), a.usersTokenCommand(), a.usersListCommand(), a.usersReset2FACommand())
	return c
}

func (a *app) usersAddCommand() *cobra.Command {
	var in tally.NewUser
	var kind string
	var roles []string
	var passwordStdin bool
	c := &cobra.Command{
		Use:   "add --org CODE --kind party|mediator|witness|observer --name NAME --login LOGIN --role ROLE... [--password-stdin]",
		Short: "Create an account (and its organisation, the first time)",
		Long: `add creates an account. The organisation is created with the first account in
it; for a party or the mediator, its code is the one agreements give it (UA, RU,
TR). --password-stdin reads the password from the first line of standard input;
without it the account signs in with API tokens only (tally users token).`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(c *cobra.Command, args []string) error {
			if in.OrgCode == "" || kind == "" || in.Name == "" || in.Login == "" || len(roles) == 0 {
				return usagef("users add needs --org, --kind, --name, --login and at least one --role")
			}
			k, err := tally.ParseOrgKind(kind)
			if err != nil {
				return err
			}
			in.OrgKind = k
			for _, r := range roles {
				for _, r := range strings.Split(r, ",") {
					in.Roles = append(in.Roles, tally.Role(r))
				}
			}
			if passwordStdin {
				line, err := bufio.NewReader(a.stdin).ReadString('\n')
				if err != nil && line == "" {
					return usagef("--password-stdin: no password on standard input")
				}
				in.Password = strings.TrimRight(line, "\r\n")
			}
			svc, done, err := a.service(c.Context())
			if err != nil {
				return err
			}
			defer done()
			u, err := svc.AddUser(c.Context(), in)
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "account %s created: %s, %s of %s (%s)\n", u.Login, u.Name, joinRoles(u.Roles), u.Org.Code, u.Org.Kind)
			return nil
		},
	}
	c.Flags().StringVar(&in.OrgCode, "org", "", "the organisation's code, such as UA, RU or TR")
	c.Flags().StringVar(&kind, "kind", "", "what the organisation is: party, mediator, witness or observer")
	c.Flags().StringVar(&in.OrgName, "org-name", "", "the organisation's name, when it is created (default: its code)")
	c.Flags().StringVar(&in.Name, "name", "", "the person's name, as they sign")
	c.Flags().StringVar(&in.Login, "login", "", "the login they sign in with")
	c.Flags().StringArrayVar(&roles, "role", nil, "a role: viewer, clerk, signer or admin (repeat, or separate with commas)")
	c.Flags().BoolVar(&passwordStdin, "password-stdin", false, "read the password from the first line of standard input")
	return c
}

func joinRoles(rs []tally.Role) string {
	ss := make([]string, len(rs))
	for i, r := range rs {
		ss[i] = string(r)
	}
	return strings.Join(ss, ", ")
}

func (a *app) usersTokenCommand() *cobra.Command {
	var login string
	c := &cobra.Command{
		Use:   "token --login LOGIN",
		Short: "Make an API token for an account; it is printed once",
		Long: `token makes a new API token for scripts, which send it as "Authorization:
Bearer TOKEN". It is printed this once: the store keeps only its SHA-256.`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(c *cobra.Command, args []string) error {
			if login == "" {
				return usagef("users token needs --login")
			}
			svc, done, err := a.service(c.Context())
			if err != nil {
				return err
			}
			defer done()
			tok, err := svc.NewToken(c.Context(), login)
			if err != nil {
				return err
			}
			fmt.Fprintln(a.stdout, tok)
			return nil
		},
	}
	c.Flags().StringVar(&login, "login", "", "the account's login")
	return c
}

func (a *app) usersListCommand() *cobra.Command {
	var org string
	c := &cobra.Command{
		Use:   "ls --org CODE",
		Short: "List the accounts of an organisation",
		Args:  exactArgs(0, "no arguments"),
		RunE: func(c *cobra.Command, args []string) error {
			if org == "" {
				return usagef("users ls needs --org")
			}
			svc, done, err := a.service(c.Context())
			if err != nil {
				return err
			}
			defer done()
			us, err := svc.Users(c.Context(), org)
			if err != nil {
				return err
			}
			for _, u := range us {
				fmt.Fprintf(a.stdout, "%s\t%s\t%s\n", u.Login, u.Name, joinRoles(u.Roles))
			}
			return nil
		},
	}
	c.Flags().StringVar(&org, "org", "", "the organisation's code")
	return c
}

func (a *app) usersReset2FACommand() *cobra.Command {
	var org, login string
	c := &cobra.Command{
		Use:   "reset-2fa --org CODE --login LOGIN",
		Short: "Remove a person's security keys (a lost key), and end their sessions",
		Long: `reset-2fa removes every security key (WebAuthn second factor) of an account and
ends its sessions, for a person who lost their key: a lost key must not lock a
party out. At their next sign-in, after the password, they register a new key.
Check who is asking before you run it: until they do, anyone with their password
can register a key in their name. Run it on the server's store (--db).`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(c *cobra.Command, args []string) error {
			if org == "" || login == "" {
				return usagef("users reset-2fa needs --org and --login")
			}
			svc, done, err := a.service(c.Context())
			if err != nil {
				return err
			}
			defer done()
			n, err := svc.ResetSecondFactor(c.Context(), org, login)
			if err != nil {
				return err
			}
			keys := "security keys"
			if n == 1 {
				keys = "security key"
			}
			fmt.Fprintf(a.stdout, "%s: %d %s removed, sessions ended; at the next sign-in they register a new key\n", tally.NormalizeLogin(login), n, keys)
			return nil
		},
	}
	c.Flags().StringVar(&org, "org", "", "the organisation's code, such as UA")
	c.Flags().StringVar(&login, "login", "", "the account's login")
	return c
}
