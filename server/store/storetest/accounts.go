package storetest

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/wardauth/ward/server/store"
)

func newAccount(n int) (*store.Account, *store.Credential) {
	id := fmt.Sprintf("acct-%d", n)
	a := &store.Account{
		ID:              id,
		Email:           fmt.Sprintf("Person.%d@Example.COM", n),
		Name:            fmt.Sprintf("Person %d", n),
		UserHandle:      []byte(fmt.Sprintf("handle-%d-0123456789abcdef01234", n)),
		AllowedMethods:  []string{"passkey", "hwk"},
		SessionLifetime: 12 * time.Hour,
		SecurityMode:    store.ModeAdvanced,
		CreatedAt:       at(0),
	}
	return a, newCredential(id, fmt.Sprintf("cred-%d-0", n), 0)
}

func newCredential(accountID, id string, n int) *store.Credential {
	return &store.Credential{
		ID:        []byte(id),
		AccountID: accountID,
		Name:      "YubiKey " + id,
		Data:      []byte(`{"publicKey":"` + id + `"}`),
		CreatedAt: at(time.Duration(n) * time.Minute),
	}
}

// createAccount stores account n with its first credential.
func createAccount(t *testing.T, s store.Store, n int) *store.Account {
	t.Helper()
	a, c := newAccount(n)
	check(t, s.Accounts().Create(t.Context(), a, c))
	return a
}

func testAccountRoundTrip(t *testing.T, s store.Store) {
	ctx := t.Context()
	a, c := newAccount(1)
	c.AccountID = "" // Create files the first credential under the account
	check(t, s.Accounts().Create(ctx, a, c))

	want := *a
	want.Email = "person.1@example.com"
	for name, get := range map[string]func() (*store.Account, error){
		"Get":             func() (*store.Account, error) { return s.Accounts().Get(ctx, a.ID) },
		"GetByEmail":      func() (*store.Account, error) { return s.Accounts().GetByEmail(ctx, "PERSON.1@example.com") },
		"GetByUserHandle": func() (*store.Account, error) { return s.Accounts().GetByUserHandle(ctx, a.UserHandle) },
	} {
		got, err := get()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		wantEqual(t, got, &want)
	}

	creds, err := s.Accounts().Credentials(ctx, a.ID)
	check(t, err)
	c.AccountID = a.ID
	wantEqual(t, creds, []*store.Credential{c})

	_, err = s.Accounts().Get(ctx, "nobody")
	wantErr(t, err, store.ErrNotFound)
	_, err = s.Accounts().GetByEmail(ctx, "nobody@example.com")
	wantErr(t, err, store.ErrNotFound)
	_, err = s.Accounts().GetByUserHandle(ctx, []byte("nobody"))
	wantErr(t, err, store.ErrNotFound)

	// An empty security mode is stored as standard, empty lists read as nil.
	b, bc := newAccount(2)
	b.SecurityMode, b.AllowedMethods, b.SessionLifetime = "", nil, 0
	check(t, s.Accounts().Create(ctx, b, bc))
	got, err := s.Accounts().Get(ctx, b.ID)
	check(t, err)
	if got.SecurityMode != store.ModeStandard || got.AllowedMethods != nil || got.SessionLifetime != 0 {
		t.Errorf("defaults: got mode %q, methods %#v, lifetime %v", got.SecurityMode, got.AllowedMethods, got.SessionLifetime)
	}
}

func testAccountConflicts(t *testing.T, s store.Store) {
	ctx := t.Context()
	a := createAccount(t, s, 1)

	sameEmail, c := newAccount(2)
	sameEmail.Email = "PERSON.1@EXAMPLE.COM"
	wantErr(t, s.Accounts().Create(ctx, sameEmail, c), store.ErrConflict)

	sameHandle, c := newAccount(3)
	sameHandle.UserHandle = a.UserHandle
	wantErr(t, s.Accounts().Create(ctx, sameHandle, c), store.ErrConflict)

	sameID, c := newAccount(4)
	sameID.ID = a.ID
	wantErr(t, s.Accounts().Create(ctx, sameID, c), store.ErrConflict)

	// A taken credential ID fails the whole creation: no account without
	// a way to sign in.
	sameCred, _ := newAccount(5)
	wantErr(t, s.Accounts().Create(ctx, sameCred, newCredential(sameCred.ID, "cred-1-0", 0)), store.ErrConflict)
	_, err := s.Accounts().Get(ctx, sameCred.ID)
	wantErr(t, err, store.ErrNotFound)

	// The failures left room for a correct account.
	createAccount(t, s, 5)
}

func testAccountUpdate(t *testing.T, s store.Store) {
	ctx := t.Context()
	a := createAccount(t, s, 1)
	b := createAccount(t, s, 2)

	a.Email = "New.Address@Example.com"
	a.Name = "Renamed"
	a.AllowedMethods = []string{"hwk"}
	a.SessionLifetime = time.Hour
	a.SecurityMode = store.ModeStandard
	check(t, s.Accounts().Update(ctx, a))
	got, err := s.Accounts().Get(ctx, a.ID)
	check(t, err)
	want := *a
	want.Email = "new.address@example.com"
	wantEqual(t, got, &want)

	b.Email = "NEW.address@example.com"
	wantErr(t, s.Accounts().Update(ctx, b), store.ErrConflict)

	ghost, _ := newAccount(9)
	wantErr(t, s.Accounts().Update(ctx, ghost), store.ErrNotFound)
}

func testCredentials(t *testing.T, s store.Store) {
	ctx := t.Context()
	a := createAccount(t, s, 1)
	other := createAccount(t, s, 2)
	first, err := s.Accounts().Credential(ctx, []byte("cred-1-0"))
	check(t, err)

	second := newCredential(a.ID, "cred-1-1", 1)
	second.LastUsedAt = at(2 * time.Minute)
	check(t, s.Accounts().AddCredential(ctx, second))
	wantErr(t, s.Accounts().AddCredential(ctx, newCredential(other.ID, "cred-1-1", 3)), store.ErrConflict)
	wantErr(t, s.Accounts().AddCredential(ctx, newCredential("nobody", "cred-x", 3)), store.ErrNotFound)

	list, err := s.Accounts().Credentials(ctx, a.ID)
	check(t, err)
	wantEqual(t, list, []*store.Credential{first, second})
	list, err = s.Accounts().Credentials(ctx, "nobody")
	check(t, err)
	if len(list) != 0 {
		t.Errorf("credentials of an unknown account: got %d, want none", len(list))
	}

	second.Data = []byte(`{"signCount":7}`)
	second.LastUsedAt = at(time.Hour)
	check(t, s.Accounts().UpdateCredential(ctx, second))
	check(t, s.Accounts().RenameCredential(ctx, a.ID, second.ID, "Laptop"))
	second.Name = "Laptop"
	got, err := s.Accounts().Credential(ctx, second.ID)
	check(t, err)
	wantEqual(t, got, second)

	// Another account's credential is not found through this one.
	wantErr(t, s.Accounts().RenameCredential(ctx, other.ID, second.ID, "Stolen"), store.ErrNotFound)
	wantErr(t, s.Accounts().DeleteCredential(ctx, other.ID, second.ID), store.ErrNotFound)
	wantErr(t, s.Accounts().UpdateCredential(ctx, newCredential(a.ID, "cred-x", 0)), store.ErrNotFound)
	_, err = s.Accounts().Credential(ctx, []byte("cred-x"))
	wantErr(t, err, store.ErrNotFound)

	check(t, s.Accounts().DeleteCredential(ctx, a.ID, first.ID))
	wantErr(t, s.Accounts().DeleteCredential(ctx, a.ID, first.ID), store.ErrNotFound)
	wantErr(t, s.Accounts().DeleteCredential(ctx, a.ID, second.ID), store.ErrConflict)
	wantErr(t, s.Accounts().DeleteCredential(ctx, "nobody", second.ID), store.ErrNotFound)
	_, err = s.Accounts().Credential(ctx, second.ID)
	check(t, err)
}

// testDeleteCredentialRace deletes every credential of an account at once:
// all but one go, and the last stays.
func testDeleteCredentialRace(t *testing.T, s store.Store) {
	ctx := t.Context()
	a := createAccount(t, s, 1)
	for i := range racers {
		check(t, s.Accounts().AddCredential(ctx, newCredential(a.ID, fmt.Sprintf("race-%d", i), i)))
	}
	check(t, s.Accounts().DeleteCredential(ctx, a.ID, []byte("cred-1-0")))

	errs := race(func(i int) error {
		return s.Accounts().DeleteCredential(ctx, a.ID, []byte(fmt.Sprintf("race-%d", i)))
	})
	refused := 0
	for _, err := range errs {
		if errors.Is(err, store.ErrConflict) {
			refused++
		} else if err != nil {
			t.Errorf("delete: %v", err)
		}
	}
	left, err := s.Accounts().Credentials(ctx, a.ID)
	check(t, err)
	if refused != 1 || len(left) != 1 {
		t.Errorf("%d deletions refused and %d credentials left, want 1 and 1", refused, len(left))
	}
}
