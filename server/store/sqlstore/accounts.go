package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/wardauth/ward/server/store"
)

type accounts struct{ db *DB }

const accountColumns = "id, email, name, user_handle, allowed_methods, session_lifetime, security_mode, created_at"

func scanAccount(s scanner) (*store.Account, error) {
	var a store.Account
	err := s.Scan(&a.ID, &a.Email, &a.Name, &a.UserHandle, listCol{&a.AllowedMethods},
		durationCol{&a.SessionLifetime}, &a.SecurityMode, timeCol{&a.CreatedAt})
	return &a, err
}

const credentialColumns = "id, account_id, name, data, created_at, last_used_at"

func scanCredential(s scanner) (*store.Credential, error) {
	var c store.Credential
	err := s.Scan(&c.ID, &c.AccountID, &c.Name, &c.Data, timeCol{&c.CreatedAt}, timeCol{&c.LastUsedAt})
	return &c, err
}

const insertCredential = "INSERT INTO credentials (" + credentialColumns + ") VALUES (?, ?, ?, ?, ?, ?)"

func credentialArgs(c *store.Credential) []any {
	return []any{nullBytes(c.ID), c.AccountID, c.Name, nullBytes(c.Data), micros(c.CreatedAt), micros(c.LastUsedAt)}
}

// Create stores the account with its email lower-cased and an empty
// security mode as standard. The first credential is stored under a.ID
// whatever its AccountID says.
func (s accounts) Create(ctx context.Context, a *store.Account, first *store.Credential) error {
	if first == nil {
		return fmt.Errorf("create account %s: an account needs a first credential", a.ID)
	}
	mode := a.SecurityMode
	if mode == "" {
		mode = store.ModeStandard
	}
	err := s.db.tx(ctx, func(h handle) error {
		_, err := h.exec(ctx, "INSERT INTO accounts ("+accountColumns+") VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
			a.ID, strings.ToLower(a.Email), a.Name, nullBytes(a.UserHandle), encodeList(a.AllowedMethods),
			a.SessionLifetime.Microseconds(), mode, micros(a.CreatedAt))
		if err != nil {
			return err
		}
		c := *first
		c.AccountID = a.ID
		_, err = h.exec(ctx, insertCredential, credentialArgs(&c)...)
		return err
	})
	if err != nil {
		return fmt.Errorf("create account %s: %w", a.ID, err)
	}
	return nil
}

func (s accounts) Get(ctx context.Context, id string) (*store.Account, error) {
	a, err := one(ctx, s.db.r(), scanAccount, "SELECT "+accountColumns+" FROM accounts WHERE id = ?", id)
	if err != nil {
		return nil, fmt.Errorf("get account %s: %w", id, err)
	}
	return a, nil
}

func (s accounts) GetByEmail(ctx context.Context, email string) (*store.Account, error) {
	a, err := one(ctx, s.db.r(), scanAccount, "SELECT "+accountColumns+" FROM accounts WHERE email = ?", strings.ToLower(email))
	if err != nil {
		return nil, fmt.Errorf("get account by email: %w", err)
	}
	return a, nil
}

func (s accounts) GetByUserHandle(ctx context.Context, handle []byte) (*store.Account, error) {
	a, err := one(ctx, s.db.r(), scanAccount, "SELECT "+accountColumns+" FROM accounts WHERE user_handle = ?", handle)
	if err != nil {
		return nil, fmt.Errorf("get account by user handle: %w", err)
	}
	return a, nil
}

// Update stores every field but ID and CreatedAt.
func (s accounts) Update(ctx context.Context, a *store.Account) error {
	err := s.db.w().updateOne(ctx, `UPDATE accounts SET email = ?, name = ?, user_handle = ?, allowed_methods = ?,
		session_lifetime = ?, security_mode = ? WHERE id = ?`,
		strings.ToLower(a.Email), a.Name, nullBytes(a.UserHandle), encodeList(a.AllowedMethods),
		a.SessionLifetime.Microseconds(), a.SecurityMode, a.ID)
	if err != nil {
		return fmt.Errorf("update account %s: %w", a.ID, err)
	}
	return nil
}

func (s accounts) AddCredential(ctx context.Context, c *store.Credential) error {
	if _, err := s.db.w().exec(ctx, insertCredential, credentialArgs(c)...); err != nil {
		return fmt.Errorf("add credential to account %s: %w", c.AccountID, err)
	}
	return nil
}

func (s accounts) Credentials(ctx context.Context, accountID string) ([]*store.Credential, error) {
	list, err := all(ctx, s.db.r(), scanCredential,
		"SELECT "+credentialColumns+" FROM credentials WHERE account_id = ? ORDER BY created_at, id", accountID)
	if err != nil {
		return nil, fmt.Errorf("list credentials of account %s: %w", accountID, err)
	}
	return list, nil
}

func (s accounts) Credential(ctx context.Context, id []byte) (*store.Credential, error) {
	c, err := one(ctx, s.db.r(), scanCredential, "SELECT "+credentialColumns+" FROM credentials WHERE id = ?", id)
	if err != nil {
		return nil, fmt.Errorf("get credential: %w", err)
	}
	return c, nil
}

func (s accounts) UpdateCredential(ctx context.Context, c *store.Credential) error {
	err := s.db.w().updateOne(ctx, "UPDATE credentials SET data = ?, last_used_at = ? WHERE id = ?",
		nullBytes(c.Data), micros(c.LastUsedAt), c.ID)
	if err != nil {
		return fmt.Errorf("update credential of account %s: %w", c.AccountID, err)
	}
	return nil
}

func (s accounts) RenameCredential(ctx context.Context, accountID string, id []byte, name string) error {
	err := s.db.w().updateOne(ctx, "UPDATE credentials SET name = ? WHERE id = ? AND account_id = ?", name, id, accountID)
	if err != nil {
		return fmt.Errorf("rename credential of account %s: %w", accountID, err)
	}
	return nil
}

// errLastCredential explains the ErrConflict of DeleteCredential.
var errLastCredential = errors.New("it is the account's last credential; add another first")

// DeleteCredential locks the account row first, so that two deletions
// racing on PostgreSQL cannot each see the other's credential and leave none.
func (s accounts) DeleteCredential(ctx context.Context, accountID string, id []byte) error {
	err := s.db.tx(ctx, func(h handle) error {
		var found string
		if err := h.scan(ctx, "SELECT id FROM accounts WHERE id = ?"+h.d.forUpdate, []any{accountID}, &found); err != nil {
			return err
		}
		var n int
		if err := h.scan(ctx, "SELECT COUNT(*) FROM credentials WHERE account_id = ?", []any{accountID}, &n); err != nil {
			return err
		}
		if n <= 1 {
			if err := h.scan(ctx, "SELECT 1 FROM credentials WHERE id = ? AND account_id = ?", []any{id, accountID}, &n); err != nil {
				return err
			}
			return fmt.Errorf("%w: %w", store.ErrConflict, errLastCredential)
		}
		return h.updateOne(ctx, "DELETE FROM credentials WHERE id = ? AND account_id = ?", id, accountID)
	})
	if err != nil {
		return fmt.Errorf("delete credential of account %s: %w", accountID, err)
	}
	return nil
}
