package sqlstore

import (
	"context"
	"fmt"
	"time"

	"github.com/wardauth/ward/server/store"
)

type authRequests struct{ db *DB }

const authRequestColumns = `id, client_id, redirect_uri, scopes, state, nonce, response_type, code_challenge,
	code_challenge_method, created_at, expires_at, account_id, session_id, amr, auth_time, done,
	code_hash, code_expires_at, code_used_at, family_id`

func scanAuthRequest(s scanner) (*store.AuthRequest, error) {
	var r store.AuthRequest
	err := s.Scan(&r.ID, &r.ClientID, &r.RedirectURI, listCol{&r.Scopes}, &r.State, &r.Nonce, &r.ResponseType,
		&r.CodeChallenge, &r.CodeChallengeMethod, timeCol{&r.CreatedAt}, timeCol{&r.ExpiresAt},
		&r.AccountID, &r.SessionID, listCol{&r.AMR}, timeCol{&r.AuthTime}, &r.Done,
		&r.CodeHash, timeCol{&r.CodeExpiresAt}, timeCol{&r.CodeUsedAt}, &r.FamilyID)
	return &r, err
}

func (s authRequests) Create(ctx context.Context, r *store.AuthRequest) error {
	_, err := s.db.w().exec(ctx, "INSERT INTO auth_requests ("+authRequestColumns+
		") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
		r.ID, r.ClientID, r.RedirectURI, encodeList(r.Scopes), r.State, r.Nonce, r.ResponseType,
		r.CodeChallenge, r.CodeChallengeMethod, micros(r.CreatedAt), micros(r.ExpiresAt),
		r.AccountID, r.SessionID, encodeList(r.AMR), micros(r.AuthTime), boolInt(r.Done),
		nullBytes(r.CodeHash), micros(r.CodeExpiresAt), micros(r.CodeUsedAt), r.FamilyID)
	if err != nil {
		return fmt.Errorf("create authorization request %s: %w", r.ID, err)
	}
	return nil
}

func (s authRequests) Get(ctx context.Context, id string) (*store.AuthRequest, error) {
	r, err := one(ctx, s.db.r(), scanAuthRequest, "SELECT "+authRequestColumns+" FROM auth_requests WHERE id = ?", id)
	if err != nil {
		return nil, fmt.Errorf("get authorization request %s: %w", id, err)
	}
	return r, nil
}

func (s authRequests) Complete(ctx context.Context, id, accountID, sessionID string, amr []string, authTime time.Time) error {
	err := s.db.w().updateOne(ctx,
		"UPDATE auth_requests SET account_id = ?, session_id = ?, amr = ?, auth_time = ?, done = 1 WHERE id = ?",
		accountID, sessionID, encodeList(amr), micros(authTime), id)
	if err != nil {
		return fmt.Errorf("complete authorization request %s: %w", id, err)
	}
	return nil
}

func (s authRequests) SetCode(ctx context.Context, id string, codeHash []byte, expiresAt time.Time) error {
	err := s.db.w().updateOne(ctx, "UPDATE auth_requests SET code_hash = ?, code_expires_at = ? WHERE id = ?",
		nullBytes(codeHash), micros(expiresAt), id)
	if err != nil {
		return fmt.Errorf("set code of authorization request %s: %w", id, err)
	}
	return nil
}

func (s authRequests) ByCodeHash(ctx context.Context, codeHash []byte) (*store.AuthRequest, error) {
	r, err := one(ctx, s.db.r(), scanAuthRequest, "SELECT "+authRequestColumns+" FROM auth_requests WHERE code_hash = ?", codeHash)
	if err != nil {
		return nil, fmt.Errorf("find authorization request by code: %w", err)
	}
	return r, nil
}

func (s authRequests) UseCode(ctx context.Context, id, familyID string, at time.Time) error {
	err := s.db.w().swap(ctx, "UPDATE auth_requests SET code_used_at = ?, family_id = ? WHERE id = ? AND code_used_at = 0",
		[]any{micros(at), familyID, id}, "SELECT 1 FROM auth_requests WHERE id = ?", id)
	if err != nil {
		return fmt.Errorf("use code of authorization request %s: %w", id, err)
	}
	return nil
}

func (s authRequests) Delete(ctx context.Context, id string) error {
	if err := s.db.w().updateOne(ctx, "DELETE FROM auth_requests WHERE id = ?", id); err != nil {
		return fmt.Errorf("delete authorization request %s: %w", id, err)
	}
	return nil
}
