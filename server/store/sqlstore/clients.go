package sqlstore

import (
	"context"
	"fmt"

	"github.com/wardauth/ward/server/store"
)

type clients struct{ db *DB }

const clientColumns = "id, name, secret_hash, redirect_uris, grant_types, scopes, native, created_at"

func scanClient(s scanner) (*store.Client, error) {
	var c store.Client
	err := s.Scan(&c.ID, &c.Name, &c.SecretHash, listCol{&c.RedirectURIs}, listCol{&c.GrantTypes},
		listCol{&c.Scopes}, &c.Native, timeCol{&c.CreatedAt})
	return &c, err
}

func (s clients) Put(ctx context.Context, c *store.Client) error {
	_, err := s.db.w().exec(ctx, "INSERT INTO clients ("+clientColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET name = excluded.name, secret_hash = excluded.secret_hash,
		redirect_uris = excluded.redirect_uris, grant_types = excluded.grant_types, scopes = excluded.scopes,
		native = excluded.native, created_at = excluded.created_at`,
		c.ID, c.Name, nullBytes(c.SecretHash), encodeList(c.RedirectURIs), encodeList(c.GrantTypes),
		encodeList(c.Scopes), boolInt(c.Native), micros(c.CreatedAt))
	if err != nil {
		return fmt.Errorf("store client %s: %w", c.ID, err)
	}
	return nil
}

func (s clients) Get(ctx context.Context, id string) (*store.Client, error) {
	c, err := one(ctx, s.db.r(), scanClient, "SELECT "+clientColumns+" FROM clients WHERE id = ?", id)
	if err != nil {
		return nil, fmt.Errorf("get client %s: %w", id, err)
	}
	return c, nil
}

func (s clients) List(ctx context.Context) ([]*store.Client, error) {
	list, err := all(ctx, s.db.r(), scanClient, "SELECT "+clientColumns+" FROM clients ORDER BY id")
	if err != nil {
		return nil, fmt.Errorf("list clients: %w", err)
	}
	return list, nil
}

func (s clients) Delete(ctx context.Context, id string) error {
	if err := s.db.w().updateOne(ctx, "DELETE FROM clients WHERE id = ?", id); err != nil {
		return fmt.Errorf("delete client %s: %w", id, err)
	}
	return nil
}
