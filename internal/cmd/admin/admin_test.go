package admin

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wardauth/ward/internal/iostreams"
	"github.com/wardauth/ward/server/store/sqlstore"
)

func TestClientsAddListRemove(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	io, _, out, errOut := iostreams.Test()
	o := &Options{IO: io, DataDir: dir}

	if err := addClient(ctx, &ClientOptions{Options: o, ID: "api", Confidential: true, JSON: true, GrantTypes: []string{"device_code"}}); err != nil {
		t.Fatal(err)
	}
	var created struct {
		ClientID     string `json:"client_id"`
		ClientSecret string `json:"client_secret"`
	}
	if err := json.Unmarshal(out.Bytes(), &created); err != nil || created.ClientID != "api" || len(created.ClientSecret) < 40 {
		t.Fatalf("add --json printed %q (%v); want the ID and a long secret", out, err)
	}

	// Only the secret's hash is stored, and the device grant got its URN.
	st, err := sqlstore.Open(ctx, filepath.Join(dir, "ward.db"))
	if err != nil {
		t.Fatal(err)
	}
	c, err := st.Clients().Get(ctx, "api")
	st.Close()
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte(created.ClientSecret))
	if string(c.SecretHash) != string(sum[:]) || c.Name != "api" || c.GrantTypes[0] != "urn:ietf:params:oauth:grant-type:device_code" {
		t.Errorf("stored client %+v", c)
	}

	if err := addClient(ctx, &ClientOptions{Options: o, ID: "api"}); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Errorf("adding a duplicate: %v", err)
	}

	out.Reset()
	if err := listClients(ctx, o); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "api") || !strings.Contains(out.String(), "confidential") {
		t.Errorf("list printed %q", out)
	}

	errOut.Reset()
	if err := removeClient(ctx, o, "api"); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(errOut.String(), "Removed client api") {
		t.Errorf("remove said %q", errOut)
	}
	out.Reset()
	listClients(ctx, o)
	if strings.Contains(out.String(), "api") {
		t.Errorf("client still listed after removal: %q", out)
	}
}
